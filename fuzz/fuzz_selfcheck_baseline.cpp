// libFuzzer target for selfcheck's baseline file and the scan answers it reads: any bytes
// either parse into a snapshot that writes back to itself, or are refused; never a crash.
#include "app/selfcheck_snapshot.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace breakwater::app;
  boost::system::error_code ec;
  boost::json::value v =
      boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec) return 0;
  (void)view_of_scan(v);
  auto s = snapshot_from_json(v);
  if (!s) return 0;
  auto again = snapshot_from_json(to_json(*s));
  if (!again || !compare(*s, *again).changes.empty()) std::abort();
  // A baseline carried over itself is itself: every family kept, nothing new.
  if (baseline_after(*s, *again).seen.size() != s->seen.size()) std::abort();
  return 0;
}
