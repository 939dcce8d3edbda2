// The parts of the site's paths that identify a visitor: scan and reach test ids. Without client
// addresses in the log (log_client_addresses = false) they are hidden as well.
#pragma once

#include <string>
#include <string_view>

namespace breakwater::site {

// "/scan/AbC.../cancel" -> "/scan/*/cancel": the path (no query) without scan ids (and
// reach test ids: "/api/v1/reach/AbC.../confirm" -> "/api/v1/reach/*/confirm").
std::string without_scan_ids(std::string_view target);

}  // namespace breakwater::site
