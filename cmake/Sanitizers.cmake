# Sanitizer and fuzzing builds (see tests/fuzz/ and scripts/test.sh).
#
#   -DTCPSCOPE_SANITIZE=ON  AddressSanitizer (with LeakSanitizer) + UndefinedBehaviorSanitizer,
#                           any report aborts the process (build-asan/ in the test command).
#   -DTCPSCOPE_FUZZ=ON      clang only: instruments the whole tree for libFuzzer
#                           (-fsanitize=fuzzer-no-link plus ASan and UBSan) and builds the
#                           fuzz targets of tests/fuzz/ (build-fuzz/ in tests/fuzz/run.sh).
option(TCPSCOPE_FUZZ "Build the libFuzzer targets (clang)" OFF)

set(TCPSCOPE_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
if(TCPSCOPE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TCPSCOPE_FUZZ=ON needs clang (CXX=clang++): libFuzzer is part of clang")
  endif()
  # -Wshadow=local (cmake/Warnings.cmake) is GCC's spelling; clang would reject it under -Werror.
  add_compile_options(-fsanitize=fuzzer-no-link ${TCPSCOPE_SANITIZER_FLAGS} -Wno-unknown-warning-option)
  add_link_options(-fsanitize=address,undefined)
elseif(TCPSCOPE_SANITIZE)
  # Not position-independent: UBSan's per-check data (source locations, type descriptors)
  # is some 20 MB of pointers, which a PIE binary relocates at every start (150 ms and
  # 9,000 page faults for `tcpscope --version`); fixed addresses need none. The tests
  # start tcpscope thousands of times.
  add_compile_options(${TCPSCOPE_SANITIZER_FLAGS} -fno-pie)
  add_link_options(-fsanitize=address,undefined -no-pie)
endif()
