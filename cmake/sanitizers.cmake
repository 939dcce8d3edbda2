# BREAKWATER_SANITIZE=address,undefined (or thread) instruments every target.
set(BREAKWATER_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined")
if(BREAKWATER_SANITIZE)
  add_compile_options(-fsanitize=${BREAKWATER_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${BREAKWATER_SANITIZE})
endif()
