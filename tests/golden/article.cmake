# The article's capture (examples/article.pcap) against the article's text, tcpdump and tcpscope.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(_article_check ${CMAKE_CURRENT_LIST_DIR}/article_check.py)
add_test(NAME article_pcap_generator
         COMMAND ${Python3_EXECUTABLE} ${_article_check} generator --source-dir ${PROJECT_SOURCE_DIR}
                 --generator $<TARGET_FILE:make_article_pcap>)
add_test(NAME article_tcpdump
         COMMAND ${Python3_EXECUTABLE} ${_article_check} tcpdump --source-dir ${PROJECT_SOURCE_DIR}
                 --expected ${CMAKE_CURRENT_LIST_DIR}/article.expected)
add_test(NAME article_tcpscope
         COMMAND ${Python3_EXECUTABLE} ${_article_check} tcpscope --source-dir ${PROJECT_SOURCE_DIR}
                 --tcpscope $<TARGET_FILE:tcpscope>)
