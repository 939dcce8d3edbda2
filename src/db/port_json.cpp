#include "db/port_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace breakwater::db {
namespace {

namespace json = boost::json;

// Empty registry fields become null, so every registration has the same keys.
json::value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return json::value(s);
}

json::object registration_to_json(const iana_row& r) {
  json::object o;
  o["transport"] = r.proto ? json::value(to_string(*r.proto)) : json::value(nullptr);
  o["service"] = text_or_null(r.service);
  o["description"] = text_or_null(r.description);
  if (r.port_lo != r.port_hi) {
    o["port_range"] = json::array{r.port_lo, r.port_hi};
  }
  o["assignee"] = text_or_null(r.assignee);
  o["contact"] = text_or_null(r.contact);
  o["registration_date"] = text_or_null(r.registration_date);
  o["modification_date"] = text_or_null(r.modification_date);
  o["reference"] = text_or_null(r.reference);
  o["service_code"] = text_or_null(r.service_code);
  o["unauthorized_use"] = text_or_null(r.unauthorized_use);
  o["notes"] = text_or_null(r.notes);
  return o;
}

json::array strings(const auto& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(json::string_view(s));
  return out;
}

json::array related_to_json(const database& db, const std::vector<related_port>& list) {
  json::array out;
  for (const related_port& r : list) {
    out.push_back(
        json::object{{"port", r.port}, {"name", db.name_of(r.port)}, {"reason", r.reason}});
  }
  return out;
}

json::array references_to_json(const std::vector<reference>& list) {
  json::array out;
  for (const reference& r : list) out.push_back(json::object{{"id", r.id}, {"title", r.title}});
  return out;
}

json::array transports_to_json(const std::vector<transport>& list) {
  json::array out;
  for (transport t : list) out.emplace_back(to_string(t));
  return out;
}

json::object range_to_json(const database& db, const range_note& r) {
  json::object o;
  o["id"] = r.id;
  o["lo"] = r.lo;
  o["hi"] = r.hi;
  o["title"] = r.title;
  o["summary"] = r.summary;
  o["transports"] = transports_to_json(r.transports);
  o["keywords"] = strings(r.keywords);
  o["body"] = strings(r.paragraphs);
  o["exclusive"] = r.exclusive;
  o["related"] = related_to_json(db, r.related);
  o["references"] = references_to_json(r.references);
  return o;
}

json::object entry_to_json(const database& db, const entry& e) {
  json::object o;
  o["title"] = e.title;
  o["summary"] = e.summary;
  o["transports"] = transports_to_json(e.transports);
  o["keywords"] = strings(e.keywords);
  o["software"] = strings(e.software);
  o["body"] = strings(e.paragraphs);
  o["exposure"] = {{"level", to_string(e.exposure)}, {"advice", e.advice}};
  o["related"] = related_to_json(db, e.related);
  json::array incidents;
  for (const incident& i : e.incidents) {
    incidents.push_back(
        json::object{{"year", i.year}, {"summary", i.summary}, {"source", i.source}});
  }
  o["incidents"] = std::move(incidents);
  o["references"] = references_to_json(e.references);
  return o;
}

}  // namespace

json::value port_to_json(const database& db, const port_info& info) {
  json::object o;
  o["port"] = info.port;
  o["range"] = to_string(info.range);
  o["unassigned"] = info.unassigned && info.registrations.empty();
  json::array regs;
  for (const iana_row* r : info.registrations) regs.push_back(registration_to_json(*r));
  o["registrations"] = std::move(regs);
  json::array notes;
  for (const iana_row* r : info.unassigned_notes) notes.push_back(registration_to_json(*r));
  o["unassigned_notes"] = std::move(notes);
  o["entry"] = info.ours ? json::value(entry_to_json(db, *info.ours)) : json::value(nullptr);
  json::array ranges;
  for (const range_note* r : info.ranges) ranges.push_back(range_to_json(db, *r));
  o["ranges"] = std::move(ranges);
  o["browsers_refuse"] = info.browsers_refuse;
  o["previous"] = info.previous;
  o["next"] = info.next;
  return o;
}

json::value search_to_json(const database& db, std::string_view query,
                           std::span<const search_hit> hits,
                           std::span<const respelling> respelled) {
  json::array results;
  for (const search_hit& h : hits) {
    json::object o;
    if (h.range != nullptr) {
      o = {{"kind", "range"},
           {"port", h.range->lo},
           {"range", json::array{h.range->lo, h.range->hi}},
           {"id", h.range->id},
           {"name", h.range->title},
           {"summary", h.range->summary}};
    } else if (h.unported != nullptr) {
      const iana_row& r = *h.unported;
      o = {{"kind", "service"},
           {"port", nullptr},
           {"name", r.service},
           {"transport", r.proto ? json::value(to_string(*r.proto)) : json::value(nullptr)},
           {"summary", r.description}};
    } else {
      const entry* e = db.find_entry(h.port);
      o = {{"kind", "port"},
           {"port", h.port},
           {"name", db.name_of(h.port)},
           {"summary", e ? json::value(e->summary) : json::value(nullptr)}};
    }
    o["matched"] = h.why;
    o["score"] = h.score;
    results.push_back(std::move(o));
  }
  json::array respellings;
  for (const respelling& r : respelled) {
    respellings.push_back(json::object{{"asked", r.asked}, {"used", r.used}});
  }
  return json::object{
      {"query", query}, {"respelled", std::move(respellings)}, {"results", std::move(results)}};
}

json::value entries_to_json(const database& db) {
  json::array ports;
  ports.reserve(db.entries().size());
  for (const entry& e : db.entries()) {
    ports.push_back(json::object{{"port", e.port},
                                 {"title", e.title},
                                 {"summary", e.summary},
                                 {"exposure", to_string(e.exposure)},
                                 {"malware", e.malware()}});
  }
  return json::object{{"count", db.entries().size()}, {"ports", std::move(ports)}};
}

}  // namespace breakwater::db
