# The record reader and the reading thread against libpcap's reader on one thread:
# same stdout, stderr and exit status on every corpus capture and on damaged files.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME capture.reader_equivalence
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/reader_equivalence.py
          $<TARGET_FILE:tcpscope> ${PROJECT_SOURCE_DIR}/../shared/corpus)
set_tests_properties(capture.reader_equivalence PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
