# The endpoint-state inference on every capture of the shared corpus: no crash, well-formed output.
add_test(NAME golden.inference_corpus
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/inference_corpus.py --dump $<TARGET_FILE:inference_dump>
                 --corpus ${PROJECT_SOURCE_DIR}/../shared/corpus)
set_tests_properties(golden.inference_corpus PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
