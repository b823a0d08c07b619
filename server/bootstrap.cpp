#include "bootstrap.hpp"

#include "core/log.hpp"
#include "domain/accounts.hpp"
#include "domain/keys.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
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
        auto r = accounts::create(redis, "admin", accounts::staff_role::admin, password, params,
                                  accounts::password_kind::one_time);
        if (r == accounts::create_result::created) {
            log::info("admin_account_created");
            std::cout << "\npeerline: first run: created an administrator account.\n"
                      << "  username: admin\n"
                      << "  password: " << password << "\n"
                      << "  (shown once: a one-time password, replaced at the first sign-in)\n\n"
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

trust::org_keys prepare_org_keys(redis::sync_client& redis, const server_config& cfg) {
    trust::org_keys org;
    if (!cfg.org_public_key.empty()) {
        org.root = trust::parse_public_key(cfg.org_public_key);
        if (!org.root) throw std::runtime_error("--org-public-key must be a base64url Ed25519 public key");
    }
    if (!cfg.demo) return org;
    auto path = cfg.demo_org_key_file;
    if (path.empty()) {
        std::filesystem::create_directories(cfg.data_dir);
        path = (std::filesystem::path(cfg.data_dir) / "demo-org-root.key").string();
    }
    bool created = false;
    org.demo_root = trust::load_or_create_demo_key(path, created);
    if (org.root && *org.root != org.demo_root->public_key)
        throw std::runtime_error("--org-public-key is not the demo root key's public key");
    org.root = org.demo_root->public_key;
    // A demo revocation key beside the demo root, delegated afresh at each
    // start; an empty directory if none; a list GPs' browsers accept (the
    // revocation-list endpoint re-signs it in demo mode before it is stale).
    auto now_s = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    auto rev_path = (std::filesystem::path(path).parent_path() /
                     (std::filesystem::path(path).stem().string() + "-revocation.key"))
                        .string();
    trust::load_demo_revocation_key(org, rev_path, now_s);
    redis.exec({"HSET", keys::revocation_delegation, "data", trust::to_b64(org.demo_delegation)});
    auto dir = redis.exec({"HGET", keys::directory, "data"});
    if (dir.str.empty()) {
        auto empty = trust::demo_empty_directory(org, now_s);
        if (!empty) throw std::runtime_error("cannot sign the demo directory");
        redis.exec({"HSET", keys::directory, "data", *empty, "number", "1"});
        dir.str = *empty;
    }
    auto stored = redis.exec({"HGET", keys::revocation_list, "data"});
    auto list = trust::demo_revocation_list(org, stored.str, dir.str, now_s);
    if (!list) throw std::runtime_error("cannot sign the demo revocation list");
    redis.exec({"HSET", keys::revocation_list, "data", list->text, "number", std::to_string(list->number),
                "next_update", std::to_string(list->next_update)});
    log::warn("demo_org_key", {{"file", path}, {"created", created}});
    std::cout << "peerline: demo mode: the demo root key " << path
              << (created ? " was created" : " is in use")
              << ".\n  It certifies every listener enrolment at once, and the demo revocation key\n"
              << "  " << rev_path << " signs the revocation list. Never use them for a real service:\n"
              << "  a real root key stays offline (`peerline org keygen`) and the revocation key\n"
              << "  stays with the organisation's administrators, never on this server.\n"
              << "  root public key: " << crypto::org::public_key_text(*org.root) << "\n"
              << "  fingerprint:     " << crypto::org::fingerprint(*org.root) << "\n\n"
              << std::flush;
    return org;
}

} // namespace peerline
