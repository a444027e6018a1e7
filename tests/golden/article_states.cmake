# The article's own connection, phases and endpoint states as the article explains them.
add_test(NAME golden.article_states
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/article_states.py $<TARGET_FILE:inference_dump>
                 ${PROJECT_SOURCE_DIR}/examples/article.pcap)
