add_test(NAME layering.includes_point_down
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check_layering.py ${PROJECT_SOURCE_DIR}/src)
