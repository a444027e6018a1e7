# libFuzzer target for decode_tcp() and TcpPrinter; built and replayed like the
# other fuzz targets (see fuzz.cmake, which is included before this file).
tcpscope_fuzz_target(tcp_fuzz tcpscope_print)
