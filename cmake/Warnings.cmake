# Warnings for the project's own code only (third-party headers are system includes).
function(tcpscope_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow=local -Wno-missing-field-initializers)
endfunction()
