// libFuzzer target for the scan pages' form handling: the CSRF token check and POST /scan
// with any body and Origin. Never crashes; only a token issued for this address passes; a
// scan is only ever started for the visitor's own address; the answer is one of 303, 400,
// 403.
#include "db/database.hpp"
#include "db/search_index.hpp"
#include "site/csrf.hpp"
#include "site/scan_routes.hpp"
#include "site/site.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace breakwater;

// Starts nothing; checks who would have been probed.
class stub_service : public scan::service {
 public:
  boost::system::result<std::string, scan::refusal> start(const scan::visitor& who,
                                                          const scan::scan_order&) override {
    if (who.address != "198.18.0.2") std::abort();
    return std::string("id");
  }
  std::optional<scan::scan_snapshot> snapshot(std::string_view, std::string_view) const override {
    return std::nullopt;
  }
  bool cancel(std::string_view, std::string_view) override { return false; }
  boost::system::result<std::unique_ptr<scan::subscription>, scan::refusal> subscribe(
      std::string_view, std::string_view, std::uint64_t,
      std::function<void(const scan::scan_event&)>, bool) override {
    return scan::refusal{404, "not_found", "none", {}};
  }
  boost::system::result<std::chrono::milliseconds, scan::refusal> estimate(
      const scan::visitor&, const scan::scan_order&) const override {
    return std::chrono::milliseconds(1000);
  }
};

struct world {
  db::database db{{}, {}};
  db::search_index index{db};
  site::website site{db, index, {}};
  stub_service service;
  std::shared_ptr<site::csrf_guard> guard =
      std::make_shared<site::csrf_guard>("fuzz", std::chrono::hours(1));
  std::chrono::system_clock::time_point now{std::chrono::seconds(1'800'000'000)};
  world() {
    site::scan_page_options o;
    o.clock = [this] { return now; };
    o.guard = guard;
    site::add_scan_page_routes(site, service, db, o);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static world w;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view origin = text.substr(0, text.find('\n'));
  std::string_view rest = text.substr(std::min(text.size(), origin.size() + 1));

  std::string good = w.guard->issue("198.18.0.2", w.now);
  if (w.guard->check(rest, "198.18.0.2", w.now) && rest != good) std::abort();
  if (w.guard->check(rest, "198.18.0.3", w.now) && rest == good) std::abort();

  // The body as sent, and the body with a valid token in front.
  for (const std::string& body : {std::string(rest), "csrf=" + good + "&" + std::string(rest)}) {
    std::vector<http::header_view> headers{{"Host", "198.18.0.1:8080"}, {"Origin", origin}};
    http::connection_info conn;
    conn.client_address = "198.18.0.2";
    http::request req;
    req.verb = http::method::post;
    req.target = "/scan";
    req.path = "/scan";
    req.headers = headers;
    req.body = body;
    req.conn = &conn;
    (void)site::same_origin(req);
    unsigned status = w.site.handle(req).res.status;
    if (status != 303 && status != 400 && status != 403) std::abort();
  }
  return 0;
}
