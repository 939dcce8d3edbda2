#include "http/transport/server.hpp"

#include "http/error.hpp"
#include "http/transport/detail/worker.hpp"
#include "http/transport/http_session.hpp"
#include "http/transport/listener.hpp"

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <pthread.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <thread>
#include <vector>

namespace breakwater::http {
namespace {

namespace asio = boost::asio;
using workers = std::vector<std::unique_ptr<worker>>;

bool all_free(asio::io_context& control, const std::vector<listener>& listeners,
              const request_log& log) {
  for (const listener& l : listeners) {
    if (auto ec = check_free(control, l)) {
      log.message(log_level::error,
                  fmt::format("cannot listen on {}: {}", to_string(l.address), ec.message()));
      return false;
    }
  }
  return true;
}

// One worker per thread, each listening on every address. False: an acceptor failed.
bool start_workers(shared_state& st, const std::vector<listener>& listeners, workers& out) {
  server_parts& parts = st.parts;
  for (unsigned i = 0; i < parts.workers; ++i) {
    auto w = std::make_unique<worker>();
    w->index = i;
    w->respond = std::make_unique<responder>(parts.app);
    for (const listener& l : listeners) {
      if (auto ec = start_listening(*w, st, l)) {
        parts.log.message(log_level::error, fmt::format("cannot listen on {}: {}",
                                                        to_string(l.address), ec.message()));
        return false;
      }
    }
    out.push_back(std::move(w));
  }
  return true;
}

void begin_shutdown(worker& w) {
  w.stopping = true;
  for (auto& a : w.acceptors) {
    boost::system::error_code ec;
    a->close(ec);
  }
  for (session_base* s = w.sessions; s != nullptr; s = s->next) s->cancel_if_idle();
}

// On SIGINT or SIGTERM every worker stops accepting and finishes what is in flight, on its
// own thread; whatever is still running after the drain time is stopped.
void on_signal(asio::signal_set& signals, asio::steady_timer& drain, const server_parts& parts,
               workers& all) {
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    parts.log.message(log_level::warn,
                      fmt::format("signal {}: finishing requests in flight, then exiting", signo));
    if (parts.on_stopping) parts.on_stopping();
    for (auto& w : all) asio::post(w->ioc, [&wk = *w] { begin_shutdown(wk); });
    // Slow clients get at most the header timeout and a little more to finish.
    drain.expires_after(parts.config.limits.header_timeout + std::chrono::seconds(2));
    drain.async_wait([&](const boost::system::error_code& e) {
      if (e) return;
      for (auto& w : all) w->ioc.stop();
    });
  });
}

// SIGHUP reloads on the signal thread, so that reading files and building the TLS context
// never stall a worker; it waits for the next one until the server stops.
void on_hangup(asio::signal_set& hangups, const server_parts& parts) {
  hangups.async_wait([&hangups, &parts](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (parts.on_reload) parts.on_reload();
    on_hangup(hangups, parts);
  });
}

// The caller may have blocked SIGHUP while it started (see server.hpp); now that `hangups`
// handles it, one held meanwhile is delivered, and the worker threads started after this
// take SIGHUP too.
void let_hangups_through() {
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  pthread_sigmask(SIG_UNBLOCK, &hup, nullptr);
}

}  // namespace

boost::system::error_code run_server(server_parts& parts) {
  shared_state st{parts};
  std::vector<listener> listeners = listeners_of(parts.config);
  if (listeners.empty()) return errc::nothing_to_listen_on;
  asio::io_context control;
  if (!all_free(control, listeners, parts.log)) return errc::listen_failed;
  workers all;
  if (!start_workers(st, listeners, all)) return errc::listen_failed;
  // Signals are taken on their own context; each worker is then told on its own thread.
  asio::signal_set signals(control, SIGINT, SIGTERM);
  asio::steady_timer drain(control);
  on_signal(signals, drain, parts, all);
  asio::signal_set hangups(control, SIGHUP);
  on_hangup(hangups, parts);
  let_hangups_through();
  if (parts.on_listening) parts.on_listening();
  std::vector<std::thread> threads;
  for (auto& w : all) threads.emplace_back([&wk = *w] { wk.ioc.run(); });
  std::thread control_thread([&] { control.run(); });
  for (std::thread& t : threads) t.join();
  control.stop();
  control_thread.join();
  return {};
}

}  // namespace breakwater::http
