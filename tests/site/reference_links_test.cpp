#include "site/reference_links.hpp"

#include <gtest/gtest.h>

namespace breakwater::site {
namespace {

std::string linked(std::string_view text) {
  html h;
  text_with_links(h, text);
  return h.take();
}

std::string url_of(std::string_view text) {
  auto id = cited_id_at(text);
  return id ? id->url : std::string("(none)");
}

TEST(reference_links, each_kind_of_id_has_its_page) {
  EXPECT_EQ(url_of("CVE-2014-0160"), "https://www.cve.org/CVERecord?id=CVE-2014-0160");
  EXPECT_EQ(url_of("CVE-2021-44228)"), "https://www.cve.org/CVERecord?id=CVE-2021-44228");
  EXPECT_EQ(url_of("RFC 2476"), "https://www.rfc-editor.org/rfc/rfc2476");
  EXPECT_EQ(url_of("RFC6335]"), "https://www.rfc-editor.org/rfc/rfc6335");
  EXPECT_EQ(url_of("MS08-067"),
            "https://learn.microsoft.com/en-us/security-updates/securitybulletins/2008/ms08-067");
  EXPECT_EQ(url_of("MS99-022"),
            "https://learn.microsoft.com/en-us/security-updates/securitybulletins/1999/ms99-022");
  EXPECT_EQ(url_of("VU#834865"), "https://www.kb.cert.org/vuls/id/834865");
  EXPECT_EQ(url_of("TA14-017A"), "https://www.cisa.gov/uscert/ncas/alerts/TA14-017A");
  EXPECT_EQ(url_of("ICSA-21-315-02"),
            "https://www.cisa.gov/news-events/ics-advisories/icsa-21-315-02");
  EXPECT_EQ(url_of("ICSA-13-291-01B,"),
            "https://www.cisa.gov/news-events/ics-advisories/icsa-13-291-01b");
}

TEST(reference_links, near_misses_are_plain_text) {
  for (std::string_view text :
       {"CVE-14-0160",   "CVE-2014-016",     "CVE-2014-0160x",  "RFC",       "RFC x",
        "RFC 0",         "RFC 9110a",        "MS08-0671",       "MS8-067",   "MSN",
        "VU#",           "VU#12a",           "Cisco",           "Microsoft", "TA14-017",
        "TA14-017a",     "TA14-017AB",       "TA1-017A",        "TAB",       "ICSA-21-315",
        "ICSA-21-315-2", "ICSA-21-315-02BC", "ICSA-21-315-023", "ICS",       "CA-2003-20"}) {
    EXPECT_EQ(url_of(text), "(none)") << text;
  }
}

TEST(reference_links, text_is_escaped_and_ids_become_external_links) {
  EXPECT_EQ(linked("Heartbleed (CVE-2014-0160) & <b>RFC 6520</b>"),
            "Heartbleed (<a href=\"https://www.cve.org/CVERecord?id=CVE-2014-0160\" "
            "rel=\"noopener noreferrer\">CVE-2014-0160</a>) &amp; &lt;b&gt;<a "
            "href=\"https://www.rfc-editor.org/rfc/rfc6520\" rel=\"noopener noreferrer\">RFC "
            "6520</a>&lt;/b&gt;");
  EXPECT_EQ(linked("[IESG][RFC9110]"),
            "[IESG][<a href=\"https://www.rfc-editor.org/rfc/rfc9110\" rel=\"noopener "
            "noreferrer\">RFC9110</a>]");
  EXPECT_EQ(linked("XMS08-067 and ARFC 1"), "XMS08-067 and ARFC 1") << "ids start a word";
  EXPECT_EQ(linked("US-CERT TA14-017A"),
            "US-CERT <a href=\"https://www.cisa.gov/uscert/ncas/alerts/TA14-017A\" "
            "rel=\"noopener noreferrer\">TA14-017A</a>");
  EXPECT_EQ(linked(""), "");
  EXPECT_EQ(linked("plain"), "plain");
}

}  // namespace
}  // namespace breakwater::site
