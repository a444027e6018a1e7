# Zeek conn.log conformance on ../shared/corpus/zeek (114 connections in real captures, plus the two
# baselines that hold Zeek endpoint records):
# fails below 95 % identical or when a difference is not listed in tests/known-differences-zeek.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME golden.zeek_conformance
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tools/zeek_conformance.py
          $<TARGET_FILE:tcpscope> ${PROJECT_SOURCE_DIR}/../shared/corpus/zeek
          ${CMAKE_CURRENT_SOURCE_DIR}/known-differences-zeek)
set_tests_properties(golden.zeek_conformance PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900)
