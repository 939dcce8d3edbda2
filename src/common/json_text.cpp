#include "common/json_text.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace breakwater::common {
namespace {

void append(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_: {
      double d = v.get_double();
      // JSON has no NaN or infinity; shortest round-trip decimal otherwise.
      out += std::isfinite(d) ? fmt::format("{}", d) : "null";
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out += ':';
        append(out, item);
      }
      out += '}';
      return;
    }
    default: out += boost::json::serialize(v); return;
  }
}

}  // namespace

std::string json_text(const boost::json::value& v) {
  std::string out;
  append(out, v);
  return out;
}

}  // namespace breakwater::common
