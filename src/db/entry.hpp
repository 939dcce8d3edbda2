// Our own written entry for one port: what uses it, why exposing it matters, and more.
#pragma once

#include "db/transport.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace breakwater::db {

enum class exposure_level { public_service, restricted, never, varies };

std::string_view to_string(exposure_level level) noexcept;
std::optional<exposure_level> parse_exposure_level(std::string_view text) noexcept;

struct related_port {
  std::uint16_t port = 0;
  std::string reason;
  std::size_t line = 0;  // where it stands in the entry's file
};

struct incident {
  int year = 0;
  std::string summary;
  std::string source;  // CVE id, advisory or CERT note
};

struct reference {
  std::string id;  // "RFC 2818" or a specification's name
  std::string title;
};

struct entry {
  std::uint16_t port = 0;
  std::string title;
  std::string summary;
  std::vector<transport> transports;
  std::vector<std::string> keywords;
  std::vector<std::string> software;    // programs that listen here by default (searchable)
  std::vector<std::string> paragraphs;  // the body, one string per paragraph
  exposure_level exposure = exposure_level::varies;
  std::string advice;
  std::vector<related_port> related;
  std::vector<incident> incidents;
  std::vector<reference> references;
  std::string file;  // where the entry was loaded from, for messages

  std::size_t body_words() const noexcept;
  // Tagged as a port malware listened on (a keyword trojan, worm or backdoor).
  bool malware() const noexcept;
};

}  // namespace breakwater::db
