# clang links with lld when it is there. The sanitizer trees (clang) link a dozen test
# programs and the fuzz targets, each over 100 MB with ASan: GNU ld took 10 s for the
# program alone on a quiet machine, lld 2 s. GCC's release tree keeps the system linker.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=lld" BREAKWATER_HAVE_LLD)
  if(BREAKWATER_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()
