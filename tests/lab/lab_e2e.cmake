# End-to-end tests of `tcpscope lab`, `server` and `client` (tests/lab/lab_e2e.py).
# The lab cases need root (skip visibly otherwise; fail under CI=true) and run
# one at a time: the lab holds a lock, and each case checks nothing is left behind.
set(TCPSCOPE_LAB_CASES
  scenario:article scenario:server-first scenario:reset scenario:refused scenario:half-close
  scenario:simultaneous-close scenario:lost-syn scenario:lost-data scenario:zero-window
  scenario:keepalive scenario:port-reuse scenario:ipv6
  write_capture sigkill_cleanup sigterm lock unknown_scenario no_root_fallback server_client)
foreach(case ${TCPSCOPE_LAB_CASES})
  string(REPLACE ":" "." test_name "lab.${case}")
  add_test(NAME ${test_name} COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/lab_e2e.py ${case})
  set_tests_properties(${test_name} PROPERTIES
    SKIP_RETURN_CODE 77
    TIMEOUT 60
    RUN_SERIAL TRUE
    LABELS lab
    ENVIRONMENT "TCPSCOPE_SOURCE_DIR=${PROJECT_SOURCE_DIR};TCPSCOPE_BINARY=${PROJECT_BINARY_DIR}/tcpscope")
endforeach()
