#include "site/reference_links.hpp"

#include "common/text.hpp"

#include <fmt/format.h>

namespace breakwater::site {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Digits at `pos`: how many (at most `most`), 0 when none.
std::size_t digits_at(std::string_view text, std::size_t pos, std::size_t most = 10) {
  std::size_t n = 0;
  while (pos + n < text.size() && n < most && is_digit(text[pos + n])) ++n;
  return n;
}

// An id must not run on into a longer word or number ("RFC 9110a", "MS08-0671").
bool ends_cleanly(std::string_view text, std::size_t end) {
  return end >= text.size() || !is_alnum(text[end]);
}

std::optional<cited_id> cve_at(std::string_view text) {
  if (!text.starts_with("CVE-")) return std::nullopt;
  if (digits_at(text, 4, 4) != 4 || text.size() < 10 || text[8] != '-') return std::nullopt;
  std::size_t n = digits_at(text, 9);
  if (n < 4 || !ends_cleanly(text, 9 + n)) return std::nullopt;
  std::string id(text.substr(0, 9 + n));
  return cited_id{id.size(), "https://www.cve.org/CVERecord?id=" + id};
}

std::optional<cited_id> rfc_at(std::string_view text) {
  if (!text.starts_with("RFC")) return std::nullopt;
  std::size_t pos = 3;
  if (pos < text.size() && text[pos] == ' ') ++pos;
  std::size_t n = digits_at(text, pos, 5);
  if (n == 0 || text[pos] == '0' || !ends_cleanly(text, pos + n)) return std::nullopt;
  return cited_id{pos + n,
                  fmt::format("https://www.rfc-editor.org/rfc/rfc{}", text.substr(pos, n))};
}

// Microsoft security bulletins, MS98-001 to MS17-023: the year is 19yy for 98 and 99.
std::optional<cited_id> ms_bulletin_at(std::string_view text) {
  if (!text.starts_with("MS") || digits_at(text, 2, 2) != 2 || text.size() < 8 || text[4] != '-') {
    return std::nullopt;
  }
  if (digits_at(text, 5, 3) != 3 || !ends_cleanly(text, 8)) return std::nullopt;
  std::string_view yy = text.substr(2, 2);
  std::string_view century = yy >= "90" ? "19" : "20";
  return cited_id{8, fmt::format("https://learn.microsoft.com/en-us/security-updates/"
                                 "securitybulletins/{}{}/ms{}-{}",
                                 century, yy, yy, text.substr(5, 3))};
}

std::optional<cited_id> cert_note_at(std::string_view text) {
  if (!text.starts_with("VU#")) return std::nullopt;
  std::size_t n = digits_at(text, 3);
  if (n == 0 || !ends_cleanly(text, 3 + n)) return std::nullopt;
  return cited_id{3 + n, fmt::format("https://www.kb.cert.org/vuls/id/{}", text.substr(3, n))};
}

// US-CERT's technical alerts, TA13-088A: CISA keeps them under US-CERT's old paths.
std::optional<cited_id> us_cert_alert_at(std::string_view text) {
  if (!text.starts_with("TA") || digits_at(text, 2, 2) != 2 || text.size() < 9) {
    return std::nullopt;
  }
  if (text[4] != '-' || digits_at(text, 5, 3) != 3 || text[8] < 'A' || text[8] > 'Z') {
    return std::nullopt;
  }
  if (!ends_cleanly(text, 9)) return std::nullopt;
  return cited_id{9, fmt::format("https://www.cisa.gov/uscert/ncas/alerts/{}", text.substr(0, 9))};
}

// CISA's industrial control systems advisories, ICSA-21-315-02, a revision letter after
// (ICSA-13-291-01B); their pages are named in lower case.
std::optional<cited_id> ics_advisory_at(std::string_view text) {
  if (!text.starts_with("ICSA-") || digits_at(text, 5, 2) != 2 || text.size() < 14) {
    return std::nullopt;
  }
  if (text[7] != '-' || digits_at(text, 8, 3) != 3 || text[11] != '-' ||
      digits_at(text, 12, 2) != 2) {
    return std::nullopt;
  }
  std::size_t n = 14;
  if (n < text.size() && text[n] >= 'A' && text[n] <= 'Z') ++n;
  if (!ends_cleanly(text, n)) return std::nullopt;
  std::string page = "icsa";
  for (char c : text.substr(4, n - 4)) page.push_back(common::ascii_lower(c));
  return cited_id{n, "https://www.cisa.gov/news-events/ics-advisories/" + page};
}

}  // namespace

std::optional<cited_id> cited_id_at(std::string_view text) {
  if (text.empty()) return std::nullopt;
  switch (text.front()) {
    case 'C': return cve_at(text);
    case 'R': return rfc_at(text);
    case 'M': return ms_bulletin_at(text);
    case 'V': return cert_note_at(text);
    case 'T': return us_cert_alert_at(text);
    case 'I': return ics_advisory_at(text);
    default: return std::nullopt;
  }
}

void external_link(html& h, std::string_view url, std::string_view label) {
  h.raw("<a href=\"").text(url).raw("\" rel=\"noopener noreferrer\">").text(label).raw("</a>");
}

void text_with_links(html& h, std::string_view text) {
  std::size_t written = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && is_alnum(text[i - 1])) continue;  // ids start at a word boundary
    auto id = cited_id_at(text.substr(i));
    if (!id) continue;
    h.text(text.substr(written, i - written));
    external_link(h, id->url, text.substr(i, id->length));
    i += id->length - 1;
    written = i + 1;
  }
  h.text(text.substr(written));
}

}  // namespace breakwater::site
