#include "site/page_forms.hpp"

namespace breakwater::site {

void port_form(html& h, std::optional<unsigned> value, std::string_view id) {
  h.raw("<form class=\"port\" action=\"/port\" method=\"get\" role=\"search\">")
      .raw("<label for=\"")
      .text(id)
      .raw("\">Enter port</label><input id=\"")
      .text(id)
      .raw("\" name=\"n\" inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"5\" ")
      .raw("placeholder=\"0-65535\" required");
  if (value) h.raw(" value=\"").number(*value).raw("\"");
  h.raw("><button type=\"submit\">Go</button></form>");
}

void search_form(html& h, std::string_view query, std::string_view id) {
  h.raw("<form class=\"search\" action=\"/search\" method=\"get\" role=\"search\">")
      .raw("<label for=\"")
      .text(id)
      .raw("\">Search ports</label><input type=\"search\" id=\"")
      .text(id)
      .raw("\" name=\"q\" placeholder=\"service, word or port\" value=\"")
      .text(query)
      .raw("\"><button type=\"submit\">Search</button></form>");
}

}  // namespace breakwater::site
