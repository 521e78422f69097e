# cf_set_warnings(<target>): the project's warning flags on one target.
function(cf_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
    -Wno-missing-field-initializers
    $<$<BOOL:${CF_WARNINGS_AS_ERRORS}>:-Werror>)
  # __int128 is a GNU extension both compilers support; -Wpedantic would flag every use.
  target_compile_options(${target} PRIVATE -Wno-pedantic)
endfunction()
