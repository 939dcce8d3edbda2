// JSON views of the database, shared by the CLI (--json) and the web API.
#pragma once

#include "db/database.hpp"
#include "db/search_index.hpp"

#include <boost/json/value.hpp>

#include <span>

namespace breakwater::db {

// {"port":443,"range":"system","unassigned":false,"registrations":[...],"entry":{...}|null,
//  "previous":442,"next":444}
boost::json::value port_to_json(const database& db, const port_info& info);

// {"query":"...","results":[{"port":22,"name":"ssh","why":"service name","score":...}]}
boost::json::value search_to_json(const database& db, std::string_view query,
                                  std::span<const search_hit> hits);

}  // namespace breakwater::db
