// A request body that must be one JSON object. Boost.JSON keeps the last value of a key given
// twice ({"ports":"common","ports":"all"} reads as "all"), so a request that says two things
// would be acted on as one of them: such a body is refused instead, at any depth.
#pragma once

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace breakwater::common {

// The object, or a sentence for the client: "the body must be a JSON object such as SHAPE",
// or that a key is given twice. `shape` is an example of a good body.
boost::system::result<boost::json::object, std::string> parse_json_object(std::string_view text,
                                                                          std::string_view shape);

// How many keys the text of a JSON value spells, at every depth. The text must be valid JSON
// (what boost::json::parse took).
std::size_t keys_spelled(std::string_view valid_json) noexcept;

}  // namespace breakwater::common
