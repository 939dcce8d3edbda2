# What `cmake --install` puts where, and the Debian package CPack builds from it
# (`cpack` in the build directory, or the `package` target): breakwater_<version>_<arch>.deb.
# The program finds its data beside itself (bin/../share/breakwater/data), so one layout
# serves both a /usr/local install and the package's /usr.
include(GNUInstallDirs)

set(BREAKWATER_DOC_DIR "${CMAKE_INSTALL_DATADIR}/doc/breakwater")
install(FILES README.md DESTINATION "${BREAKWATER_DOC_DIR}")
install(DIRECTORY docs/ DESTINATION "${BREAKWATER_DOC_DIR}/docs" FILES_MATCHING PATTERN "*.md")
install(FILES packaging/copyright DESTINATION "${BREAKWATER_DOC_DIR}")

# Debian policy (12.1, 12.7): the man page and the Debian changelog compressed with gzip -9n
# (-n: no name or time stamp, so the bytes depend on the text alone).
find_program(BREAKWATER_GZIP gzip REQUIRED)
configure_file(packaging/changelog.Debian.in "${CMAKE_BINARY_DIR}/packaging/changelog.Debian" @ONLY)
set(_bw_man_gz "${CMAKE_BINARY_DIR}/packaging/breakwater.1.gz")
set(_bw_changelog_gz "${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz")
add_custom_command(
  OUTPUT "${_bw_man_gz}" "${_bw_changelog_gz}"
  COMMAND sh -c "\"$1\" -9n -c \"$2\" > \"$3\" && \"$1\" -9n -c \"$4\" > \"$5\"" gzip
          "${BREAKWATER_GZIP}" "${PROJECT_SOURCE_DIR}/packaging/breakwater.1" "${_bw_man_gz}"
          "${CMAKE_BINARY_DIR}/packaging/changelog.Debian" "${_bw_changelog_gz}"
  DEPENDS packaging/breakwater.1 "${CMAKE_BINARY_DIR}/packaging/changelog.Debian"
  COMMENT "Compressing the man page and the Debian changelog"
  VERBATIM)
add_custom_target(breakwater_compressed_docs ALL DEPENDS "${_bw_man_gz}" "${_bw_changelog_gz}")
# Built with the program: the test command builds named targets, never "all", before cpack.
add_dependencies(breakwater breakwater_compressed_docs)
install(FILES "${_bw_man_gz}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
install(FILES "${_bw_changelog_gz}" DESTINATION "${BREAKWATER_DOC_DIR}")

# The example configuration, under the prefix for any install.
install(FILES packaging/breakwater.toml packaging/breakwater.service
        DESTINATION "${BREAKWATER_DOC_DIR}/examples")

# The package's own system files: the conffile /etc/breakwater/breakwater.toml and the unit.
# Their paths are absolute, so they are a component a plain `cmake --install` skips (it must
# not write /etc); the package build asks for it by name (CPACK_INSTALL_CMAKE_PROJECTS).
install(FILES packaging/breakwater.toml DESTINATION /etc/breakwater
        COMPONENT system EXCLUDE_FROM_ALL)
install(FILES packaging/breakwater.service DESTINATION /lib/systemd/system
        COMPONENT system EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME breakwater)
set(CPACK_PACKAGE_VENDOR "the breakwater maintainers")
set(CPACK_PACKAGE_CONTACT "breakwater maintainers <maintainers@users.noreply.r-seed-2a0b6643.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "port database and port probe service (Port Authority, ShieldsUP!)")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "A page for every TCP and UDP port (IANA's registrations plus an explanation of what\n"
       "listens there), and a web service that probes a visitor's own address from outside\n"
       "and reports each port as open, closed or stealth. Runs as a locked-down systemd\n"
       "service holding only CAP_NET_RAW and CAP_NET_BIND_SERVICE.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# gzip: a few times faster to build than xz, and the test command builds it every run.
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # breakwater_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://www.iana.org/assignments/service-names-port-numbers/")
# Depends from the program's shared libraries (dpkg-shlibdeps, from dpkg-dev), found by
# cmake/cpack_shlibdeps.cmake when the package is built (it says why not SHLIBDEPS ON).
get_target_property(_breakwater_dir breakwater BINARY_DIR)
set(CPACK_BREAKWATER_PROGRAM "${_breakwater_dir}/breakwater")
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_SOURCE_DIR}/cmake/cpack_shlibdeps.cmake")
# /etc/breakwater/breakwater.toml is a conffile: an upgrade keeps the operator's edits. The
# maintainer scripts manage the unit as dh_installsystemd would (the package is not built by
# debhelper): install neither enables nor starts it, an upgrade restarts it if it runs,
# removal stops it, purge removes its enable symlinks and its state directory. Strict
# permission gives the scripts mode 0755 and conffiles 0644, as Debian policy asks.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/conffiles" "${PROJECT_SOURCE_DIR}/packaging/postinst"
    "${PROJECT_SOURCE_DIR}/packaging/prerm" "${PROJECT_SOURCE_DIR}/packaging/postrm")
# The scripts call deb-systemd-helper and deb-systemd-invoke (Essential only from bookworm).
set(CPACK_BREAKWATER_EXTRA_DEPENDS "init-system-helpers")
# Everything a plain install puts in place, plus the system files.
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${PROJECT_BINARY_DIR};${PROJECT_NAME};Unspecified;/"
    "${PROJECT_BINARY_DIR};${PROJECT_NAME};system;/")
include(CPack)
