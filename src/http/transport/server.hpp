// Runs the site over HTTP and HTTPS: one io_context and thread per worker, each with its
// own SO_REUSEPORT listener per address, until SIGTERM or SIGINT (graceful shutdown). SIGHUP
// asks the application to reload the certificate.
#pragma once

#include "http/handler.hpp"
#include "http/http_types.hpp"
#include "http/metrics.hpp"
#include "http/options.hpp"
#include "http/request_log.hpp"
#include "http/transport/tls.hpp"

#include <boost/system/error_code.hpp>

#include <functional>
#include <memory>
#include <string>

namespace breakwater::http {

struct server_parts {
  const server_options& config;
  const handler& app;  // answers every request
  metrics& stats;
  const request_log& log;
  tls_identity_store* tls = nullptr;  // null when HTTPS is off
  unsigned workers = 1;
  // Called once every listener is bound (the e2e tests wait for the log line it writes).
  std::function<void()> on_listening;
  // Called on SIGHUP, on the signal thread (never a worker's): the application loads the
  // certificate again and, when that works, replaces `tls`'s identity.
  std::function<void()> on_reload;
  // Called on SIGTERM or SIGINT, before the workers stop accepting.
  std::function<void()> on_stopping;
};

// Blocks until a signal stops the server; an error when a listener cannot be opened. A caller
// may block SIGHUP on its thread before its own slow start, so that one sent meanwhile waits
// instead of ending the process: run_server unblocks it on the calling thread once on_reload
// is wired, and a SIGHUP held until then is handled once.
boost::system::error_code run_server(server_parts& parts);

}  // namespace breakwater::http
