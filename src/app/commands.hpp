// Registers the subcommands of the breakwater program.
#pragma once

#include "app/context.hpp"

#include <CLI/App.hpp>

namespace breakwater::app {

// Each subcommand sets `status` when it runs.
void add_port_command(CLI::App& app, context& ctx, int& status);
void add_search_command(CLI::App& app, context& ctx, int& status);
void add_db_commands(CLI::App& app, context& ctx, int& status);
void add_probe_command(CLI::App& app, context& ctx, int& status);
void add_serve_command(CLI::App& app, context& ctx, int& status);
void add_selfcheck_command(CLI::App& app, int& status);
void add_nat_command(CLI::App& app, int& status);
void add_reach_command(CLI::App& app, int& status);

// Prints a JSON value followed by a newline on stdout.
void print_json(const boost::json::value& v);

}  // namespace breakwater::app
