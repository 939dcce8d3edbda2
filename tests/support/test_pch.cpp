// Exists only to own the test programs' shared precompiled header (see tests/CMakeLists.txt).
