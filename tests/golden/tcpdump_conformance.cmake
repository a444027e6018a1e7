# tcpdump 4.99.3 conformance gate: compare.py from ../shared/corpus/tcpdump on the
# built binary; fails below 98 % of TCP packets identical overall or 99.5 % per
# gated link type / tunnel (see tcpdump_conformance.py). Skips (exit 77) when the
# corpus is absent, unless CI=true.
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_Interpreter_FOUND)
  add_test(NAME golden.tcpdump_conformance
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/tcpdump_conformance.py
      --binary $<TARGET_FILE:tcpscope>
      --corpus ${PROJECT_SOURCE_DIR}/../shared/corpus/tcpdump
      --known-differences ${PROJECT_SOURCE_DIR}/tests/known-differences
      --jobs 2)
  set_tests_properties(golden.tcpdump_conformance PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
endif()
