# The kernel check: inferred endpoint states vs the kernel's sock/inet_sock_set_state
# on real connections between two network namespaces. Needs root; skips visibly
# (exit 77) otherwise, and fails under CI=true.
# (inference_dump is built by tests/tools/inference_dump.cmake)
add_test(NAME lab.kernel_states
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/kernel_states.py --dump $<TARGET_FILE:inference_dump>)
set_tests_properties(lab.kernel_states PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180 RUN_SERIAL TRUE LABELS lab)
