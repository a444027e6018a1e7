# Close classification vs Zeek's conn_state on the Zeek corpus (compatibility table,
# known differences listed with reasons in the script). Skips visibly without the corpus.
add_test(NAME golden.close_kind_vs_zeek
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/close_kind_vs_zeek.py --dump $<TARGET_FILE:inference_dump>
                 --corpus ${PROJECT_SOURCE_DIR}/../shared/corpus/zeek)
set_tests_properties(golden.close_kind_vs_zeek PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
