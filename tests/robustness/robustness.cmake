# Robustness: every corpus capture through every subcommand (no crash, no sanitizer
# report, tcpdump's truncation markers), and memory bounds on generated worst cases.
# scripts/test.sh also runs robustness.corpus_sweep in the ASan+UBSan tree.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME robustness.corpus_sweep
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/corpus_sweep.py
          $<TARGET_FILE:tcpscope> ${PROJECT_SOURCE_DIR}/../shared/corpus)
set_tests_properties(robustness.corpus_sweep PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1200)
if(NOT TCPSCOPE_SANITIZE AND NOT TCPSCOPE_FUZZ)  # RSS caps are for the normal build
  foreach(case syn_flood retransmissions per_connection)
    add_test(NAME robustness.bounds_${case}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/bounds.py $<TARGET_FILE:tcpscope> ${case})
    set_tests_properties(robustness.bounds_${case} PROPERTIES TIMEOUT 900 RUN_SERIAL TRUE)
  endforeach()
endif()
foreach(case disk_full dev_full)
  add_test(NAME robustness.capture_safety_${case}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/capture_safety.py $<TARGET_FILE:tcpscope>
            ${PROJECT_SOURCE_DIR}/../shared/corpus ${case})
  set_tests_properties(robustness.capture_safety_${case} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
# -Z and the default drop of root, compared with Debian's tcpdump (needs root; skips with a message).
foreach(case default_live default_read default_no_write z_root z_nobody no_such_user unwritable no_default_user
             conns)
  add_test(NAME robustness.privilege_drop_${case}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/privilege_drop.py $<TARGET_FILE:tcpscope>
            ${PROJECT_SOURCE_DIR}/../shared/corpus ${case})
  set_tests_properties(robustness.privilege_drop_${case} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
add_test(NAME robustness.lab_safety
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/lab_safety.py $<TARGET_FILE:tcpscope>)
set_tests_properties(robustness.lab_safety PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 RUN_SERIAL TRUE)
