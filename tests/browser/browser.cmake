# The HTML report and the SVG in headless Chromium (skipped with a message when chromium is absent).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME browser_html_report
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/html_report.py --source-dir ${PROJECT_SOURCE_DIR}
                 --tcpscope $<TARGET_FILE:tcpscope> --artifacts ${PROJECT_BINARY_DIR}/Testing/artifacts)
set_tests_properties(browser_html_report PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
