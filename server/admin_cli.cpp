#include "admin_cli.hpp"

#include "bootstrap.hpp"
#include "core/config.hpp"
#include "domain/accounts.hpp"
#include "domain/keys.hpp"
#include "domain/rota.hpp"
#include "redis/embedded_redis.hpp"
#include "redis/sync_client.hpp"

#include <iostream>
#include <memory>
#include <stdexcept>

namespace peerline {

namespace {

std::string read_password_from_stdin() {
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

int create(redis::sync_client& redis, const admin_command& cmd, accounts::staff_role role) {
    auto params = pwhash_params_from_name(cmd.password_hash_cost);
    std::string password = cmd.password_stdin ? read_password_from_stdin() : crypto::generate_password();
    // A password Peerline made and printed is a one-time password: whoever
    // reads it off this terminal is not the account's owner for long.
    auto kind = cmd.password_stdin ? accounts::password_kind::chosen : accounts::password_kind::one_time;
    switch (accounts::create(redis, cmd.username, role, password, params, kind)) {
    case accounts::create_result::created:
        std::cout << "created " << accounts::to_string(role) << "\n  username: " << cmd.username << "\n";
        if (!cmd.password_stdin)
            std::cout << "  password: " << password << "\n  (a one-time password: replaced at the first sign-in)\n";
        return 0;
    case accounts::create_result::already_exists:
        std::cerr << "peerline admin: an account named '" << cmd.username << "' already exists\n";
        return 1;
    case accounts::create_result::invalid_username:
        std::cerr << "peerline admin: usernames are 3-32 characters of a-z 0-9 . _ -\n";
        return 2;
    case accounts::create_result::weak_password:
        std::cerr << "peerline admin: passwords must be " << crypto::min_password_bytes << " to "
                  << crypto::max_password_bytes << " bytes\n";
        return 2;
    }
    return 1;
}

// Adds rota shifts for a listener and tells every running node to reload.
int add_shift(redis::sync_client& redis, const admin_command& cmd) {
    auto role = redis.exec({"HGET", keys::account(cmd.username), "role"});
    if (role.failed()) throw std::runtime_error("Redis error: " + role.str);
    if (role.str != "listener") {
        std::cerr << "peerline admin: '" << cmd.username << "' is not a listener account\n";
        return 1;
    }
    auto start = rota::parse_hhmm(cmd.start), end = rota::parse_hhmm(cmd.end);
    if (!start || !end || *start >= 1440 || *end == 0 || *start == *end) {
        std::cerr << "peerline admin: --start and --end are HH:MM, different, start before 24:00\n";
        return 2;
    }
    std::vector<std::pair<std::string, std::string>> shifts; // (weekday, date)
    if (cmd.always) {
        for (int d = 0; d < 7; ++d) shifts.emplace_back(std::to_string(d), "");
    } else if (cmd.weekday && *cmd.weekday <= 6 && cmd.date.empty()) {
        shifts.emplace_back(std::to_string(*cmd.weekday), "");
    } else if (!cmd.weekday && rota::parse_date(cmd.date)) {
        shifts.emplace_back("", cmd.date);
    } else {
        std::cerr << "peerline admin: give --always, --weekday 0-6 (0 = Sunday) or --date YYYY-MM-DD\n";
        return 2;
    }
    for (auto& [weekday, date] : shifts) {
        auto id = crypto::random_hex(8);
        redis.exec({"HSET", keys::rota_shift(id), "listener", cmd.username, "kind",
                    date.empty() ? "weekly" : "one_off", "weekday", weekday, "day", date, "start",
                    cmd.start, "end", cmd.end});
        auto listed = redis.exec({"SADD", keys::rota_shifts, id});
        if (listed.failed()) throw std::runtime_error("Redis error: " + listed.str);
        std::cout << "added shift " << id << "\n";
    }
    redis.exec({"PUBLISH", keys::broadcast_channel, R"({"b":"rota"})"});
    return 0;
}

} // namespace

int run_admin(const admin_command& cmd) {
    crypto::init();
    // Use the given Redis, or the embedded one in the data directory: the
    // running server's if it is up, else a temporary one for this command.
    std::unique_ptr<redis::embedded_redis> temporary;
    redis_address address;
    if (cmd.redis_url) {
        auto parsed = redis_address::parse(*cmd.redis_url);
        if (!parsed) {
            std::cerr << "peerline admin: --redis must be redis://host:port or unix:///path\n";
            return 2;
        }
        address = *parsed;
    } else {
        temporary = std::make_unique<redis::embedded_redis>(cmd.redis_server_binary, cmd.data_dir);
        address = temporary->address();
        if (redis::ping(address, std::chrono::milliseconds(500)))
            temporary.reset();
        else
            temporary->start();
    }
    redis::sync_client redis(address, std::chrono::seconds(5));

    if (cmd.action == "create-listener") return create(redis, cmd, accounts::staff_role::listener);
    if (cmd.action == "create-admin") return create(redis, cmd, accounts::staff_role::admin);
    if (cmd.action == "disable" || cmd.action == "enable") {
        auto result = accounts::set_disabled(redis, cmd.username, cmd.action == "disable");
        if (result == accounts::set_disabled_result::no_such_account) {
            std::cerr << "peerline admin: no account named '" << cmd.username << "'\n";
            return 1;
        }
        if (result == accounts::set_disabled_result::last_admin) {
            std::cerr << "peerline admin: '" << cmd.username
                      << "' is the last enabled administrator; create or enable another first "
                         "(peerline admin create-admin)\n";
            return 1;
        }
        std::cout << cmd.action << "d " << cmd.username << "\n";
        return 0;
    }
    if (cmd.action == "add-shift") return add_shift(redis, cmd);
    if (cmd.action == "list") {
        for (auto& a : accounts::list(redis))
            std::cout << a.username << "\t" << a.role << (a.disabled ? "\tdisabled" : "") << "\n";
        return 0;
    }
    std::cerr << "peerline admin: unknown action\n";
    return 2;
}

} // namespace peerline
