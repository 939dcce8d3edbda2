// JSON views of the database, shared by the CLI (--json) and the web API.
#pragma once

#include "db/database.hpp"
#include "db/search_index.hpp"

#include <boost/json/value.hpp>

#include <span>

namespace breakwater::db {

// {"port":443,"range":"system","unassigned":false,"registrations":[...],"entry":{...}|null,
//  "ranges":[{"id":...,"lo":...,"hi":...,...}],"browsers_refuse":true,"previous":442,"next":444}
boost::json::value port_to_json(const database& db, const port_info& info);

// {"count":1194,"ports":[{"port":7,"title":"Echo","summary":"...","exposure":"never",
//  "malware":false}, ...]}: every port with an entry of ours, in port order.
boost::json::value entries_to_json(const database& db);

// {"query":"...","respelled":[{"asked":"postgress","used":"postgres"}],
//  "results":[{"kind":"port","port":22,"name":"ssh","summary":...,"matched":"service name",
//  "score":...}]}; "kind" is "port", "range" (with "range":[lo,hi] and "id") or "service" (a
//  registered name without a port: "port" is null).
boost::json::value search_to_json(const database& db, std::string_view query,
                                  std::span<const search_hit> hits,
                                  std::span<const respelling> respelled = {});

}  // namespace breakwater::db
