#include "db/entry.hpp"

#include "common/text.hpp"

namespace breakwater::db {

std::string_view to_string(exposure_level level) noexcept {
  switch (level) {
    case exposure_level::public_service: return "public";
    case exposure_level::restricted: return "restricted";
    case exposure_level::never: return "never";
    case exposure_level::varies: return "varies";
  }
  return "varies";
}

std::optional<exposure_level> parse_exposure_level(std::string_view text) noexcept {
  for (auto level : {exposure_level::public_service, exposure_level::restricted,
                     exposure_level::never, exposure_level::varies}) {
    if (text == to_string(level)) return level;
  }
  return std::nullopt;
}

std::size_t entry::body_words() const noexcept {
  std::size_t words = 0;
  for (const std::string& p : paragraphs) words += common::count_words(p);
  return words;
}

bool entry::malware() const noexcept {
  for (const std::string& k : keywords) {
    if (k == "trojan" || k == "worm" || k == "backdoor") return true;
  }
  return false;
}

}  // namespace breakwater::db
