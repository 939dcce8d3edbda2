// libFuzzer target for the API's JSON bodies (common::parse_json_object): never crashes; a
// body is taken exactly when Boost.JSON reads it as an object and no key repeats, and what is
// taken is what Boost.JSON read. The key count is checked against Boost.JSON's own writing of
// the same value, which holds every key once.
#include "common/json_object.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace json = boost::json;

std::size_t keys_in(const json::value& v) {
  std::size_t n = 0;
  if (const json::object* o = v.if_object()) {
    n += o->size();
    for (const auto& [key, value] : *o) n += keys_in(value);
  } else if (const json::array* a = v.if_array()) {
    for (const json::value& e : *a) n += keys_in(e);
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using breakwater::common::keys_spelled;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto taken = breakwater::common::parse_json_object(text, "{}");
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    if (taken) std::abort();
    return 0;
  }
  const std::size_t held = keys_in(v);
  if (keys_spelled(json::serialize(v)) != held) std::abort();  // the scanner reads keys right
  const std::size_t spelled = keys_spelled(text);
  if (spelled < held) std::abort();  // a repeat only removes
  const bool whole_object = v.is_object() && spelled == held;
  if (whole_object != static_cast<bool>(taken)) std::abort();
  if (taken && json::value(*taken) != v) std::abort();
  return 0;
}
