// `breakwater nat`'s output: the diagnosis and its evidence as text for people, or as one
// JSON object for scripts.
#pragma once

#include "app/nat_diagnosis.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace breakwater::app {

std::string nat_text(const nat_evidence& e, const nat_diagnosis& d);
boost::json::value nat_json(const nat_evidence& e, const nat_diagnosis& d);

}  // namespace breakwater::app
