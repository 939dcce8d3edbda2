// The scan service's lines of /metrics (Prometheus text format): its scans and its reach tests.
#pragma once

#include "scan/probe_service.hpp"

#include <string>

namespace breakwater::app {

std::string scan_metrics(const scan::service_stats& s);

}  // namespace breakwater::app
