# Installed layout and the Debian package (issue 8).
#   bin/tcpscope                                  (src/cli/CMakeLists.txt)
#   share/man/man1/tcpscope.1                     doc/tcpscope.1, roff written by hand
#   share/bash-completion/completions/tcpscope    completions/tcpscope.bash
#   share/zsh/vendor-completions/_tcpscope        completions/_tcpscope
#   share/tcpscope/examples/article.pcap          the capture `lab` falls back to
# `cpack -G DEB` (in the build tree) makes tcpscope_<version>_amd64.deb; its
# Depends line comes from dpkg-shlibdeps (libc6, libpcap0.8, libfmt9, libstdc++6, ...).
include(GNUInstallDirs)

# `tcpscope lab` explains this capture when it cannot run the experiment (no root).
install(FILES ${PROJECT_SOURCE_DIR}/examples/article.pcap DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/tcpscope/examples)
install(FILES ${PROJECT_SOURCE_DIR}/doc/tcpscope.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/completions/tcpscope.bash
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions RENAME tcpscope)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_tcpscope
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/zsh/vendor-completions)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tcpscope)
set(CPACK_PACKAGE_VENDOR "tcpscope")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "tcpscope developers <tcpscope@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "print packets as tcpdump does and explain every TCP connection")
set(CPACK_PACKAGE_DESCRIPTION
    "tcpscope reads pcap/pcapng files or captures live with libpcap, prints packets exactly as\n tcpdump 4.99 does, and follows every TCP connection: handshake, data, teardown and the\n RFC 9293 states of both endpoints.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # tcpscope_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)   # Depends from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, man-db")
set(CPACK_STRIP_FILES ON)
include(CPack)
