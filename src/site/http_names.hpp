// The HTTP vocabulary the site is written in, named here once so that pages and API code
// read `request` and `response` rather than `http::request` on every line.
#pragma once

#include "http/handler.hpp"
#include "http/router.hpp"
#include "site/http_names.hpp"

namespace breakwater::site {

using http::async_sink;
using http::async_source;
using http::cache_policy;
using http::cert_info;
using http::connection_info;
using http::handled;
using http::header_view;
using http::measure_rtt_us;
using http::method;
using http::request;
using http::response;
using http::route_params;
using http::router;
using http::tls_info;

}  // namespace breakwater::site
