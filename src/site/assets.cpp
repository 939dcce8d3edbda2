#include "site/assets.hpp"

#include "http/etag.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace breakwater::site {
namespace {

std::string_view content_type_of(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::vector<static_asset> build() {
  std::vector<static_asset> out;
  for (std::size_t i = 0; i < embedded_file_count; ++i) {
    const embedded_file& f = embedded_files[i];
    static_asset a;
    a.name = std::string(f.name);
    std::size_t dot = f.name.rfind('.');
    a.file_name = fmt::format("{}.{:08x}{}", f.name.substr(0, dot),
                              http::fnv1a(f.data) & 0xffffffffULL, f.name.substr(dot));
    a.url = "/static/" + a.file_name;
    a.content_type = content_type_of(f.name);
    a.data = f.data;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

const std::vector<static_asset>& static_assets() {
  static const std::vector<static_asset> assets = build();
  return assets;
}

const std::string& asset_url(std::string_view name) {
  for (const static_asset& a : static_assets()) {
    if (a.name == name) return a.url;
  }
  throw std::out_of_range("no embedded asset " + std::string(name));
}

const static_asset* find_asset(std::string_view file_name) noexcept {
  for (const static_asset& a : static_assets()) {
    if (a.file_name == file_name) return &a;
  }
  return nullptr;
}

}  // namespace breakwater::site
