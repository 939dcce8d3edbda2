// The little of XML that UPnP devices speak: elements found by their local name (any
// namespace prefix dropped), their text, and the child elements of one element. No DTDs, no
// entities beyond the five predefined ones: device descriptions and SOAP answers need none.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace breakwater::probe {

struct xml_element {
  std::string_view content;  // between the opening and the closing tag, unescaped
  std::size_t after = 0;     // where the text continues after the closing tag
};

// The next element named `local_name` at or after `from`, at any depth; empty when there is
// none or it is never closed.
std::optional<xml_element> find_element(std::string_view xml, std::string_view local_name,
                                        std::size_t from = 0);

// The element's direct children that hold text: (local name, unescaped trimmed text), at most
// 64, names and values cut to 512 bytes. Children that hold elements themselves are skipped.
std::vector<std::pair<std::string, std::string>> text_children(std::string_view content);

// The first direct child element's local name and content (a SOAP body's one answer).
std::optional<std::pair<std::string, std::string_view>> first_child(std::string_view content);

// &lt; &gt; &amp; &quot; &apos; and numeric references below 128; others are kept as written.
std::string xml_unescape(std::string_view text);

}  // namespace breakwater::probe
