# Wireshark check: tcpscope's per-segment TCP analysis flags against the
# installed tshark (4.0.17) on every capture of ../shared/corpus and on captures
# the test makes itself (crafted scenarios; a loopback recording when root).
# Fails below 99 % of TCP segments with identical flag sets.
add_executable(analysis_dump ${CMAKE_CURRENT_LIST_DIR}/../tools/analysis_dump.cpp)
target_link_libraries(analysis_dump PRIVATE tcpscope_track PkgConfig::PCAP)
tcpscope_warnings(analysis_dump)

find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME golden.wireshark_flags
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/wireshark_flags.py
          --dump $<TARGET_FILE:analysis_dump>
          --corpus ${PROJECT_SOURCE_DIR}/../shared/corpus
          --known ${PROJECT_SOURCE_DIR}/tests/known-differences-wireshark
          --min-identical 99.0)
set_tests_properties(golden.wireshark_flags PROPERTIES TIMEOUT 600 LABELS golden)
