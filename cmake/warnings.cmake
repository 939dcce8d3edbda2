# The one warnings list: every target of ours links bw_warnings.
add_library(bw_warnings INTERFACE)
target_compile_options(bw_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
option(BREAKWATER_WERROR "Treat warnings as errors" ON)
if(BREAKWATER_WERROR)
  target_compile_options(bw_warnings INTERFACE -Werror)
endif()
