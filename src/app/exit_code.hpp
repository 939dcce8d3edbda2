// Process exit statuses shared by every subcommand.
#pragma once

namespace breakwater::app {

enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,    // the job could not run (data missing, check failed)
  exit_bad_input = 2,  // the user's arguments were wrong
};

}  // namespace breakwater::app
