// What `serve` tells systemd (the unit's Type=notify): ready once every listener is up, and
// reloading while SIGHUP's certificate reload runs, each with a status line for
// `systemctl status`. Outside systemd ($NOTIFY_SOCKET unset) every call does nothing.
#pragma once

#include <string_view>

namespace breakwater::app {

void notify_ready(std::string_view status);
void notify_reloading();
void notify_stopping();

}  // namespace breakwater::app
