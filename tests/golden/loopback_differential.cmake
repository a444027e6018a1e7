# Records real loopback TCP traffic (needs root) and requires tcpscope to print it
# exactly as tcpdump does under 14 option sets. Exit 77 = skipped (not root).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME loopback_differential
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/loopback_differential.py
                 --tcpscope $<TARGET_FILE:tcpscope>
                 --work-dir ${CMAKE_CURRENT_BINARY_DIR}/loopback_differential)
set_tests_properties(loopback_differential PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 RUN_SERIAL TRUE)
