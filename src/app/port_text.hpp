// Renders a port's page as plain text for the terminal.
#pragma once

#include "db/database.hpp"

#include <string>

namespace breakwater::app {

std::string render_port_text(const db::database& db, const db::port_info& info);

// Word-wraps `text` to `width` columns, every line starting with `indent`.
std::string wrap(std::string_view text, std::size_t width, std::string_view indent);

}  // namespace breakwater::app
