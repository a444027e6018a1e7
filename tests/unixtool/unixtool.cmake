# tcpscope as a Unix tool (issue 8): installed layout, man page, completions,
# the Debian package, exit codes and the progress line.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(case install man completions package exit_codes)
  add_test(NAME unixtool.${case}
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/unixtool.py ${case}
                   --source-dir ${PROJECT_SOURCE_DIR} --build-dir ${PROJECT_BINARY_DIR})
  set_tests_properties(unixtool.${case} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
endforeach()
# The package test runs cpack in a temporary directory; keep it apart from the install test.
set_tests_properties(unixtool.package PROPERTIES RESOURCE_LOCK tcpscope_install)
set_tests_properties(unixtool.install PROPERTIES RESOURCE_LOCK tcpscope_install)
add_test(NAME unixtool.progress
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/progress.py $<TARGET_FILE:tcpscope>
                 ${PROJECT_SOURCE_DIR})
set_tests_properties(unixtool.progress PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
