// Exists only to own the shared precompiled header of Asio and Beast (see CMakeLists.txt).
