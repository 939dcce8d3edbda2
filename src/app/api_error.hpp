// What a breakwater server's API said went wrong, for the CLI commands that call it (reach,
// selfcheck): the message of its {"error":{"code","message"}} body, or the status alone.
#pragma once

#include "http/client.hpp"

#include <string>

namespace breakwater::app {

std::string api_error_text(const http::client_response& res);

}  // namespace breakwater::app
