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
# GCC 12 at -O2 calls Asio's coroutine frames mismatched (the frame's class operator new and
# delete, seen through inlining of the destroy path) once a coroutine's locals grow: a false
# report, and one that comes and goes with unrelated changes. We use no raw new/delete pairs.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(bw_warnings INTERFACE -Wno-mismatched-new-delete)
endif()
