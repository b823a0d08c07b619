#include "domain/session_auth.hpp"

#include "domain/accounts.hpp"
#include "domain/keys.hpp"
#include "peerline/crypto/crypto.hpp"

namespace peerline {

void authenticate(redis::client& redis, std::string_view token, std::function<void(authentication)> done) {
    using status = authentication::status;
    auto key = keys::session(crypto::token_hash(token));
    redis.exec({"HMGET", key, "role", "username", "sid", "epoch"}, [&redis, done = std::move(done)](redis::value v) mutable {
        authentication a;
        if (v.failed()) {
            a.result = status::unavailable;
            return done(std::move(a));
        }
        auto role = v.elements.size() == 4 ? protocol::role_from_string(v.elements[0].str) : std::nullopt;
        if (!role) return done(std::move(a)); // no such session (expired, revoked) or not ours
        a.role = *role;
        a.sid = v.elements[2].str;
        if (*role == protocol::role::gp) {
            a.result = status::ok;
            return done(std::move(a));
        }
        a.username = v.elements[1].str;
        // The epoch the session was made in ("0" before epochs existed).
        auto session_epoch = v.elements[3].is_nil() ? std::string("0") : v.elements[3].str;
        // Staff: the account must still exist and be enabled. (The key is
        // made before the call: `a` moves into the callback.)
        auto account_key = keys::account(a.username);
        redis.exec({"HMGET", std::move(account_key), "disabled", "capacity", "session_epoch"},
                   [a = std::move(a), session_epoch = std::move(session_epoch),
                    done = std::move(done)](redis::value d) mutable {
                       if (d.failed()) {
                           a.result = status::unavailable;
                       } else if (d.elements.size() == 3 && !d.elements[0].is_nil() && d.elements[0].str != "1" &&
                                  (d.elements[2].is_nil() ? std::string("0") : d.elements[2].str) == session_epoch) {
                           // Enabled, and the session was made since it was last disabled.
                           a.result = status::ok;
                           a.capacity = accounts::capacity_from_text(d.elements[1].str);
                       }
                       done(std::move(a));
                   });
    });
}

} // namespace peerline
