// `peerline admin ...`: create, disable, enable and list listener and
// administrator accounts. Blocking by design (a command-line tool).
#pragma once

#include <optional>
#include <string>

namespace peerline {

struct admin_command {
    std::string action;   // create-listener | create-admin | disable | enable | list | add-shift
    // add-shift: --always (every day, all day), or --weekday N / --date D with --start/--end.
    bool always = false;
    std::optional<unsigned> weekday;
    std::string date;
    std::string start = "00:00";
    std::string end = "24:00";
    std::string username; // empty for list
    bool password_stdin = false;
    std::optional<std::string> redis_url; // absent: the embedded Redis in data_dir
    std::string data_dir = ".peerline-data";
    std::string redis_server_binary = "redis-server";
    std::string password_hash_cost = "interactive";
};

int run_admin(const admin_command& cmd);

} // namespace peerline
