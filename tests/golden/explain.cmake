# `tcpscope explain` / `tcpscope diagram`: golden outputs (tests/golden/explain/TESTLIST, baselines
# updated only by tests/tools/update-golden-explain) and behaviour checks (article, JSON, SVG, Mermaid, HTML).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(_explain_check ${CMAKE_CURRENT_LIST_DIR}/explain_golden.py)
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/explain/TESTLIST _explain_rows REGEX "^[a-z]")
foreach(_row ${_explain_rows})
  string(REGEX MATCH "^[a-z0-9_]+" _name "${_row}")
  add_test(NAME explain_golden_${_name}
           COMMAND ${Python3_EXECUTABLE} ${_explain_check} golden ${_name} --source-dir ${PROJECT_SOURCE_DIR}
                   --tcpscope $<TARGET_FILE:tcpscope>)
  set_tests_properties(explain_golden_${_name} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
foreach(_mode article json svg mermaid html conn-range bad-input)
  add_test(NAME explain_${_mode}
           COMMAND ${Python3_EXECUTABLE} ${_explain_check} ${_mode} --source-dir ${PROJECT_SOURCE_DIR}
                   --tcpscope $<TARGET_FILE:tcpscope>)
  set_tests_properties(explain_${_mode} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
