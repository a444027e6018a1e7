# The TCP printer on its own against the installed tcpdump: a small driver that finds
# TCP behind raw IP / Ethernet / SLL / null / PPP and VXLAN/Geneve and prints the TCP
# part, and a differential test on random segments (tests/tools/tcp_text_differential.py).
add_executable(tcp_text_driver ${CMAKE_CURRENT_LIST_DIR}/tcp_text_driver.cpp)
target_link_libraries(tcp_text_driver PRIVATE tcpscope_print PkgConfig::PCAP)
target_include_directories(tcp_text_driver PRIVATE ${PROJECT_SOURCE_DIR}/src)
tcpscope_warnings(tcp_text_driver)
add_test(NAME tcp_text_vs_tcpdump_random
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/tcp_text_differential.py $<TARGET_FILE:tcp_text_driver> 2)
