// Builds HTML text: markup is written as is, every piece of text through the escaping helper.
#pragma once

#include "site/escape.hpp"

#include <string>
#include <string_view>

namespace breakwater::site {

class html {
 public:
  // Markup written in our own code (tags, attribute names), never data.
  html& raw(std::string_view markup) {
    out_ += markup;
    return *this;
  }
  // Any text that comes from data or the request: always escaped.
  html& text(std::string_view t) {
    append_escaped(out_, t);
    return *this;
  }
  html& number(unsigned long long n) {
    out_ += std::to_string(n);
    return *this;
  }
  // <tag>text</tag>, e.g. el("h2", "IANA registrations").
  html& el(std::string_view tag, std::string_view t) {
    return raw("<").raw(tag).raw(">").text(t).raw("</").raw(tag).raw(">");
  }
  std::string& str() noexcept { return out_; }
  std::string take() noexcept { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace breakwater::site
