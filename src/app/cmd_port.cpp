#include "app/commands.hpp"
#include "app/exit_code.hpp"
#include "app/port_text.hpp"

#include "common/json_text.hpp"
#include "common/text.hpp"
#include "db/port_json.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

namespace breakwater::app {
namespace {

struct port_options {
  std::string port;
  bool json = false;
};

int run_port(const port_options& o, context& ctx) {
  auto port = common::parse_port_number(common::trim(o.port));
  if (!port) {
    fmt::print(stderr, "error: port must be a whole number from 0 to 65535, not '{}'\n", o.port);
    return exit_bad_input;
  }
  const db::database* db = ctx.database();
  if (db == nullptr) return exit_failure;
  db::port_info info = db->lookup(static_cast<std::uint16_t>(*port));
  if (o.json) {
    print_json(db::port_to_json(*db, info));
  } else {
    fmt::print("{}", render_port_text(*db, info));
  }
  return exit_ok;
}

}  // namespace

void print_json(const boost::json::value& v) { fmt::print("{}\n", common::json_text(v)); }

void add_port_command(CLI::App& app, context& ctx, int& status) {
  auto opts = std::make_shared<port_options>();
  CLI::App* cmd = app.add_subcommand("port", "Show everything known about one port (0-65535)");
  cmd->add_option("N", opts->port, "Port number, 0-65535")->required();
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of text");
  cmd->callback([opts, &ctx, &status] { status = run_port(*opts, ctx); });
}

}  // namespace breakwater::app
