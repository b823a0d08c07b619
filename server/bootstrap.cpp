#include "bootstrap.hpp"

#include "core/log.hpp"
#include "domain/accounts.hpp"
#include "domain/keys.hpp"

#include <iostream>
#include <stdexcept>

namespace peerline {

crypto::pwhash_params pwhash_params_from_name(const std::string& name) {
    if (name == "interactive") return crypto::pwhash_params::interactive();
    if (name == "moderate") return crypto::pwhash_params::moderate();
    if (name == "minimum") return crypto::pwhash_params::minimum();
    throw std::invalid_argument("--password-hash-cost must be interactive, moderate or minimum");
}

namespace {

// Demo only: the demo listener is on the rota around the clock, so the demo
// works whenever it is started. Added once; administrators may change it.
void ensure_demo_shifts(redis::sync_client& redis) {
    auto ids = redis.exec({"SMEMBERS", keys::rota_shifts});
    if (ids.failed()) throw std::runtime_error("Redis error reading the rota: " + ids.str);
    for (auto& id : ids.elements) {
        auto who = redis.exec({"HGET", keys::rota_shift(id.str), "listener"});
        if (who.str == "demo-listener") return;
    }
    for (int weekday = 0; weekday < 7; ++weekday) {
        auto id = crypto::random_hex(8);
        redis.exec({"HSET", keys::rota_shift(id), "listener", "demo-listener", "kind", "weekly",
                    "weekday", std::to_string(weekday), "day", "", "start", "00:00", "end", "24:00"});
        redis.exec({"SADD", keys::rota_shifts, id});
    }
    log::info("demo_shifts_created");
}

} // namespace

bootstrap_result bootstrap(redis::sync_client& redis, const server_config& cfg,
                           const crypto::pwhash_params& params) {
    bootstrap_result out;
    const std::string secret_key = "pl:secret:address-key";
    redis.exec({"SET", secret_key, crypto::random_hex(32), "NX"});
    auto key = redis.exec({"GET", secret_key});
    if (key.failed() || key.str.empty())
        throw std::runtime_error("cannot read the address key from Redis: " + key.str);
    out.address_key = key.str;

    if (!accounts::any_admin(redis)) {
        auto password = crypto::generate_password();
        auto r = accounts::create(redis, "admin", accounts::staff_role::admin, password, params);
        if (r == accounts::create_result::created) {
            log::info("admin_account_created");
            std::cout << "\npeerline: first run: created an administrator account.\n"
                      << "  username: admin\n"
                      << "  password: " << password << "\n"
                      << "  (shown once; change it with `peerline admin`)\n\n"
                      << std::flush;
        } else if (r == accounts::create_result::already_exists) {
            log::warn("admin_account_disabled_none_enabled");
        }
    }

    if (cfg.demo) {
        auto password = crypto::generate_password();
        auto r = accounts::create(redis, "demo-listener", accounts::staff_role::listener, password,
                                  params);
        if (r == accounts::create_result::already_exists) {
            // Demo only: give the existing demo account a fresh password so
            // the login below always works.
            redis.exec({"HSET", keys::account("demo-listener"), "pwhash",
                        crypto::hash_password(password, params), "disabled", "0"});
        }
        ensure_demo_shifts(redis);
        std::cout << "peerline: demo mode: a demo listener you can log in as (on shift all week).\n"
                  << "  username: demo-listener\n"
                  << "  password: " << password << "\n\n"
                  << std::flush;
    }
    return out;
}

} // namespace peerline
