// The enter-port and search boxes that several pages share.
#pragma once

#include "site/html.hpp"

#include <optional>
#include <string_view>

namespace breakwater::site {

// A GET form to /port that the server redirects to /port/N (works without JavaScript).
void port_form(html& h, std::optional<unsigned> value, std::string_view id);

// A GET form to /search.
void search_form(html& h, std::string_view query, std::string_view id);

}  // namespace breakwater::site
