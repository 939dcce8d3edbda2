// The part of /port/N that explains the ranges holding the port (our data/ranges notes).
#pragma once

#include "db/database.hpp"
#include "site/html.hpp"

namespace breakwater::site {

// <section id="ranges"> with one article per range note, narrowest first; nothing when no
// note covers the port.
void port_ranges(html& h, const db::database& db, const db::port_info& info);

}  // namespace breakwater::site
