# End-to-end runs of build/tcpscope: capture sources, -c/--skip/-w/filters compared
# with the installed tcpdump, live capture on lo, signals, and every bad-input case.
set(TCPSCOPE_E2E_CASES
  missing_file not_a_capture empty_file truncated_last_record truncated_record_header
  truncated_pcapng corrupt_record_length unwritable_output output_write_error damaged_file_sweep
  unknown_link_type unlisted_link_type bad_filter bad_options list_interfaces help_and_version
  count skip count_after_filter write_read_round_trip write_nano_round_trip filter_selection
  no_such_interface no_capture_permission privilege_drop live_loopback_exchange
  signal_during_write ascii_carriage_returns filter_program_dump
  capture_direction names_without_domain)
foreach(case ${TCPSCOPE_E2E_CASES})
  add_test(NAME e2e.${case}
           COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/cli_e2e.py ${case})
  set_tests_properties(e2e.${case} PROPERTIES
    SKIP_RETURN_CODE 77
    TIMEOUT 120
    ENVIRONMENT "TCPSCOPE_SOURCE_DIR=${PROJECT_SOURCE_DIR};TCPSCOPE_BINARY=${PROJECT_BINARY_DIR}/tcpscope")
endforeach()
