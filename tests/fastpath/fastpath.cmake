# Same output, byte for byte, whatever reading path (record reader, libpcap, standard
# input) or thread count tcpscope takes, on every capture of ../shared/corpus.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME fastpath.same_output
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/same_output.py
          $<TARGET_FILE:tcpscope> ${PROJECT_SOURCE_DIR}/../shared/corpus)
set_tests_properties(fastpath.same_output PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1200)
