# Warnings for the project's own code only (third-party headers are system includes).
function(tcpscope_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow=local -Wno-missing-field-initializers)
  # GCC 12 reports -Wmaybe-uninitialized false positives inside libstdc++ (std::regex,
  # std::function) once ASan instrumentation changes inlining; the normal build keeps it.
  if(TCPSCOPE_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
endfunction()
