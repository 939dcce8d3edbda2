#include "app/port_text.hpp"

#include "common/text.hpp"

#include <fmt/format.h>

#include <cctype>

namespace breakwater::app {
namespace {

constexpr std::size_t width = 78;

std::string heading(const db::database& db, const db::port_info& info) {
  std::string_view name = db.name_of(info.port);
  std::string out = name.empty() ? fmt::format("Port {}\n", info.port)
                                 : fmt::format("Port {} - {}\n", info.port, name);
  if (info.ours) out += wrap(info.ours->summary, width, "");
  out += wrap(db::describe(info.range), width, "");
  if (info.browsers_refuse) {
    out += wrap(
        "Browsers refuse this port: it is on the Fetch Standard's list of bad ports, so "
        "no web page can make a browser connect here.",
        width, "");
  }
  return out;
}

// One IANA row: transport, service, description and ports, then what else IANA says of it
// (who, when, the reference, remarks), indented below.
std::string iana_row_text(const db::iana_row& r) {
  std::string_view proto = r.proto ? db::to_string(*r.proto) : "-";
  std::string service = r.service.empty() ? "-" : r.service;
  std::string ports =
      r.port_lo == r.port_hi ? std::string{} : fmt::format(" (ports {}-{})", r.port_lo, r.port_hi);
  std::string out = fmt::format("  {:<5} {:<16} {}{}\n", proto, service, r.description, ports);
  const std::string indent = "        ";
  std::string who = r.assignee;
  if (!r.contact.empty() && r.contact != r.assignee) {
    who += (who.empty() ? "" : "; ") + std::string("contact ") + r.contact;
  }
  if (!who.empty()) out += wrap("Assignee: " + who, width, indent);
  std::string when;
  if (!r.registration_date.empty()) when = "registered " + r.registration_date;
  if (!r.modification_date.empty()) {
    when += (when.empty() ? "" : ", ") + std::string("modified ") + r.modification_date;
  }
  if (!when.empty())
    out += wrap(std::string(1, static_cast<char>(std::toupper(when[0]))) + when.substr(1), width,
                indent);
  if (!r.reference.empty()) out += wrap("Reference: " + r.reference, width, indent);
  if (!r.service_code.empty()) out += wrap("Service code: " + r.service_code, width, indent);
  if (!r.unauthorized_use.empty()) {
    out += wrap("Unauthorized use reported: " + r.unauthorized_use, width, indent);
  }
  if (!r.notes.empty()) out += wrap("Assignment notes: " + r.notes, width, indent);
  return out;
}

std::string registrations(const db::port_info& info) {
  std::string out = "\nIANA registrations\n";
  if (info.registrations.empty()) out += info.unassigned ? "  Unassigned.\n" : "  None.\n";
  for (const db::iana_row* r : info.registrations) out += iana_row_text(*r);
  if (!info.unassigned_notes.empty()) {
    out += "\nUnassigned, with IANA's notes\n";
    for (const db::iana_row* r : info.unassigned_notes) out += iana_row_text(*r);
  }
  return out;
}

std::string ranges(const db::database& db, const db::port_info& info) {
  std::string out;
  for (const db::range_note* r : info.ranges) {
    out += fmt::format("\nRange {}-{}: {}\n", r->lo, r->hi, r->title);
    out += wrap(r->summary, width, "  ") + "\n";
    for (const std::string& p : r->paragraphs) out += wrap(p, width, "  ") + "\n";
    for (const db::related_port& rel : r->related) {
      out += fmt::format("  see {:<6} {}\n", rel.port, db.name_of(rel.port));
    }
  }
  return out;
}

std::string our_entry(const db::database& db, const db::entry& e) {
  std::string out = fmt::format("\n{}\n", e.title);
  if (!e.software.empty()) {
    out +=
        wrap(fmt::format("Listens here by default: {}.", fmt::join(e.software, ", ")), width, "  ");
  }
  for (const std::string& p : e.paragraphs) out += wrap(p, width, "  ") + "\n";
  out += fmt::format("Exposure: {}\n", db::to_string(e.exposure));
  out += wrap(e.advice, width, "  ");
  if (!e.related.empty()) out += "\nRelated ports\n";
  for (const db::related_port& r : e.related) {
    out += fmt::format("  {:<6} {}\n", r.port, db.name_of(r.port));
    out += wrap(r.reason, width, "         ");
  }
  if (!e.incidents.empty()) out += "\nIncidents\n";
  for (const db::incident& i : e.incidents) {
    out += fmt::format("  {} {}\n", i.year, i.source);
    out += wrap(i.summary, width, "       ");
  }
  if (!e.references.empty()) out += "\nReferences\n";
  for (const db::reference& r : e.references) {
    out += r.title.empty() ? fmt::format("  {}\n", r.id) : fmt::format("  {}: {}\n", r.id, r.title);
  }
  return out;
}

}  // namespace

std::string wrap(std::string_view text, std::size_t columns, std::string_view indent) {
  std::string out, line(indent);
  std::string flat = common::squash_spaces(text);
  std::size_t pos = 0;
  while (pos < flat.size()) {
    std::size_t end = flat.find(' ', pos);
    if (end == std::string::npos) end = flat.size();
    std::string_view word(flat.data() + pos, end - pos);
    if (line.size() > indent.size() && line.size() + 1 + word.size() > columns) {
      out += line + "\n";
      line = indent;
    }
    if (line.size() > indent.size()) line += ' ';
    line += word;
    pos = end + 1;
  }
  if (line.size() > indent.size()) out += line + "\n";
  return out;
}

std::string render_port_text(const db::database& db, const db::port_info& info) {
  std::string out = heading(db, info);
  out += registrations(info);
  if (info.ours) {
    out += our_entry(db, *info.ours);
  } else {
    out += "\nNo breakwater entry for this port yet.\n";
  }
  out += ranges(db, info);
  out += fmt::format("\n< previous: {} {}    next: {} {} >\n", info.previous,
                     db.name_of(info.previous), info.next, db.name_of(info.next));
  return out;
}

}  // namespace breakwater::app
