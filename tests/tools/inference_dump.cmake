# inference_dump: per-segment RFC states of both endpoints from a capture (libpcap +
# decode::decode() + track::ConnectionInference); used by the kernel and Zeek checks.
add_executable(inference_dump ${CMAKE_CURRENT_LIST_DIR}/inference_dump.cpp)
target_link_libraries(inference_dump PRIVATE tcpscope_track PkgConfig::PCAP)
tcpscope_warnings(inference_dump)
