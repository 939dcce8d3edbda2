// Turns the ids that data cites (CVE-2014-0160, RFC 9110, MS08-067, VU#123456, TA14-017A,
// ICSA-21-315-02) into links to the pages that define them; everything else is written as
// escaped text. CERT/CC's advisories (CA-2003-20) stay text: their pages moved with no address
// that an id gives.
#pragma once

#include "site/html.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace breakwater::site {

// The page for an id that starts `text` exactly, e.g. "RFC 2476" or "CVE-2012-0002", and
// how many characters of `text` the id takes; nullopt when `text` does not start with one.
struct cited_id {
  std::size_t length = 0;
  std::string url;
};
std::optional<cited_id> cited_id_at(std::string_view text);

// Writes `text` escaped, every id in it (at word boundaries) a link that opens with
// rel="noopener noreferrer". One pass, no regular expressions: pages render per request.
void text_with_links(html& h, std::string_view text);

// An external link: <a href="url" rel="noopener noreferrer">label</a>, both escaped.
void external_link(html& h, std::string_view url, std::string_view label);

}  // namespace breakwater::site
