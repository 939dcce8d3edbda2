# BREAKWATER_SANITIZE=address,undefined (or thread) instruments every target.
set(BREAKWATER_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined")
if(BREAKWATER_SANITIZE)
  # -g1: line tables are all a sanitizer report needs, and they compile much faster.
  add_compile_options(-fsanitize=${BREAKWATER_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all -g1)
  add_link_options(-fsanitize=${BREAKWATER_SANITIZE})
  if(BREAKWATER_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC warns that TSan does not model std::atomic_thread_fence (Asio uses one in its
    # thread pool); we take that known gap rather than fail the build under -Werror.
    add_compile_options(-Wno-tsan)
  endif()
  if(BREAKWATER_SANITIZE MATCHES "undefined" AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # clang 14 cannot emit -fsanitize=function's prologue data for split coroutines
    # ("Cannot represent a difference across sections"): the web session is a coroutine.
    add_compile_options(-fno-sanitize=function)
  endif()
endif()
