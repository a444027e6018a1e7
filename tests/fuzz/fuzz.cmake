# Fuzz targets (tests/fuzz/<name>.cpp, each an LLVMFuzzerTestOneInput).
#
# With any compiler: <name>_replay, the target's entry point with a main() that runs
# given files, and the ctest fuzz_regressions.<name> that replays every input of
# tests/fuzz/regressions/<name>/ (crashes found by fuzzing, kept as regressions) and
# the project's own captures. With -DTCPSCOPE_FUZZ=ON (clang): <name>, the libFuzzer
# binary that tests/fuzz/run.sh runs.
set(TCPSCOPE_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})

function(tcpscope_fuzz_target name)
  set(src ${TCPSCOPE_FUZZ_DIR}/${name}.cpp)
  add_executable(${name}_replay ${src} ${TCPSCOPE_FUZZ_DIR}/replay_main.cpp)
  target_link_libraries(${name}_replay PRIVATE ${ARGN})
  target_include_directories(${name}_replay PRIVATE ${TCPSCOPE_FUZZ_DIR})
  tcpscope_warnings(${name}_replay)
  set(inputs ${TCPSCOPE_FUZZ_DIR}/regressions/${name})
  if(name STREQUAL "pcap_file_fuzz")
    list(APPEND inputs ${PROJECT_SOURCE_DIR}/examples)
  endif()
  add_test(NAME fuzz_regressions.${name} COMMAND ${name}_replay ${inputs})
  if(TCPSCOPE_FUZZ)
    add_executable(${name} ${src})
    target_link_libraries(${name} PRIVATE ${ARGN})
    target_include_directories(${name} PRIVATE ${TCPSCOPE_FUZZ_DIR})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    tcpscope_warnings(${name})
  endif()
endfunction()

tcpscope_fuzz_target(decode_fuzz tcpscope_decode)
tcpscope_fuzz_target(tcp_options_fuzz tcpscope_decode)
tcpscope_fuzz_target(print_fuzz tcpscope_print)
tcpscope_fuzz_target(track_fuzz tcpscope_track tcpscope_render)
tcpscope_fuzz_target(pcap_file_fuzz tcpscope_capture tcpscope_print tcpscope_track tcpscope_render)
