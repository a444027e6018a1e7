# `tcpscope conns`: the table, json, ndjson and conn.log formats agree with each other on every
# capture of ../shared/corpus/zeek, and iRTT equals tshark's tcp.analysis.initial_rtt.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME golden.conns_outputs
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/conns_outputs.py
          $<TARGET_FILE:tcpscope> ${PROJECT_SOURCE_DIR}/../shared/corpus)
set_tests_properties(golden.conns_outputs PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
