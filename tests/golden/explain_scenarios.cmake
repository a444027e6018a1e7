# `tcpscope explain` on close kinds recorded by the test itself on loopback (needs root; SKIP otherwise).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME explain_scenarios
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/explain_scenarios.py --tcpscope $<TARGET_FILE:tcpscope>)
set_tests_properties(explain_scenarios PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120 RUN_SERIAL TRUE)
