// The stylesheet and script, embedded at build time and served under content-addressed URLs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::site {

// Written by cmake/embed_assets.cmake from src/web/assets/.
struct embedded_file {
  std::string_view name;  // "site.css"
  std::string_view data;
};
extern const embedded_file embedded_files[];
extern const std::size_t embedded_file_count;

struct static_asset {
  std::string name;       // "site.css"
  std::string file_name;  // "site.1f3a9c0d.css": changes whenever the content does
  std::string url;        // "/static/site.1f3a9c0d.css"
  std::string_view content_type;
  std::string_view data;
};

const std::vector<static_asset>& static_assets();

// The URL of an embedded file by its plain name; throws std::out_of_range for a name that
// was not embedded (a programming error).
const std::string& asset_url(std::string_view name);

// The asset whose hashed file name is `file_name`, or null.
const static_asset* find_asset(std::string_view file_name) noexcept;

}  // namespace breakwater::site
