# libFuzzer target for decode_tcp() and TcpPrinter (clang only; not run by ctest):
#   CXX=clang++ cmake -S . -B build-fuzz -G Ninja && cmake --build build-fuzz --target tcp_fuzz
#   build-fuzz/tests/tcp_fuzz -max_total_time=300
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  add_executable(tcp_fuzz ${CMAKE_CURRENT_LIST_DIR}/tcp_fuzz.cpp)
  target_compile_options(tcp_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(tcp_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(tcp_fuzz PRIVATE tcpscope_print)
endif()
