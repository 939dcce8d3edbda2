# Read by cpack (CPACK_PROJECT_CONFIG_FILE): the package's Depends from the shared libraries
# the program links, as dpkg-shlibdeps finds them. CPack's own CPACK_DEBIAN_PACKAGE_SHLIBDEPS
# does the same but first runs file(1) on every installed file, two processes for each of the
# ~1,200 data files: half a minute of the test command's run, for one ELF file.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
find_program(BREAKWATER_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(NOT BREAKWATER_DPKG_SHLIBDEPS)
  message(FATAL_ERROR "dpkg-shlibdeps is missing: apt-get install dpkg-dev (scripts/setup.sh --tools)")
endif()
# dpkg-shlibdeps wants a debian/control beside it; an empty one does.
set(_work "${CPACK_BREAKWATER_PROGRAM}-shlibdeps")
file(MAKE_DIRECTORY "${_work}/debian")
file(WRITE "${_work}/debian/control" "")
execute_process(
  COMMAND "${BREAKWATER_DPKG_SHLIBDEPS}" -O "${CPACK_BREAKWATER_PROGRAM}"
  WORKING_DIRECTORY "${_work}"
  RESULT_VARIABLE _status
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _err)
if(NOT _status EQUAL 0 OR NOT _out MATCHES "shlibs:Depends=([^\n]*)")
  message(FATAL_ERROR "dpkg-shlibdeps ${CPACK_BREAKWATER_PROGRAM} failed: ${_err}")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${CMAKE_MATCH_1}, ${CPACK_BREAKWATER_EXTRA_DEPENDS}")
