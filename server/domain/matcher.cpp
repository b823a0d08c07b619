#include "domain/matcher.hpp"

#include "core/log.hpp"
#include "domain/keys.hpp"
#include "domain/router.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "redis/client.hpp"

#include <boost/asio/dispatch.hpp>

namespace peerline {

namespace net = boost::asio;

matcher::matcher(services& svc) : svc_(svc), timer_(svc.redis->get_executor()) {}

void matcher::start() {
    // Redis is usually not connected yet: register on the first connection.
    // The state callback runs on the Redis client's executor the moment it
    // connects, so these commands go out before any client's.
    svc_.redis->on_state_change([self = shared_from_this()](bool up) {
        if (up) self->register_self();
    });
    net::dispatch(timer_.get_executor(), [self = shared_from_this()] { self->register_self(); });
    schedule_tick();
}

// Anything still indexed to this node's id is left over from an earlier run
// (nothing is connected yet): mark it stale so the reap cleans it up, and
// have the same script register this node as alive, atomically, so there is
// no moment when a running node is missing from the registry. Once per
// process, before this node holds any state of its own.
void matcher::register_self() {
    if (registered_ || !svc_.redis->ready()) return;
    registered_ = true;
    svc_.redis->exec({"ZADD", keys::nodes, "0", svc_.node_id}, [](redis::value) {});
    last_heartbeat_ = std::chrono::steady_clock::now();
    reap("", svc_.node_id);
}

void matcher::stop() {
    net::dispatch(timer_.get_executor(), [self = shared_from_this()] {
        self->stopped_ = true;
        self->timer_.cancel();
    });
}

void matcher::kick() {
    net::dispatch(timer_.get_executor(), [self = shared_from_this()] {
        if (self->stopped_) return;
        if (self->running_) {
            self->again_ = true;
            return;
        }
        self->run_round();
    });
}

void matcher::schedule_tick() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->stopped_) return;
        self->expire_offers();
        self->heartbeat_and_reap();
        self->sweep_detached();
        self->kick();
        self->schedule_tick();
    });
}

void matcher::run_round() {
    running_ = true;
    again_ = false;
    match_one();
}

// One queue_match call makes every offer it can (up to offer_batch); another
// call follows only when the batch was full.
void matcher::match_one() {
    constexpr std::size_t offer_batch = 32;
    std::vector<std::string> args;
    args.reserve(2 + offer_batch);
    args.push_back(std::to_string(now_ms()));
    args.push_back(std::to_string(svc_.cfg.offer_timeout.count()));
    // Offer ids: 28 random hex digits per call and 4 of index (32 in all, like
    // the random ids used before), so a round costs one random draw.
    auto base = crypto::random_hex(14);
    for (std::size_t i = 0; i < offer_batch; ++i) {
        static constexpr char hex[] = "0123456789abcdef";
        std::string id = base;
        for (int shift = 12; shift >= 0; shift -= 4) id.push_back(hex[(i >> shift) & 0xF]);
        args.push_back(std::move(id));
    }
    svc_.redis->eval(
        scripts::queue_match(), {keys::queue_prefix}, std::move(args),
        [self = shared_from_this()](redis::value v) {
            auto made = v.failed() ? 0 : v.elements.size() / 8;
            if (v.failed() || made == 0) {
                if (v.is_error()) log::error("match_failed", {{"error", v.str}});
                self->running_ = false;
                if (self->again_ && !v.failed()) self->kick();
                return;
            }
            auto& e = v.elements;
            for (std::size_t i = 0; i + 8 <= e.size(); i += 8) {
                nlohmann::json offer{{"e", "offer"},
                                     {"offer_id", e[i].str},
                                     {"topic", e[i + 4].str},
                                     {"urgent", e[i + 5].str == "1"},
                                     {"expires_in_ms", self->svc_.cfg.offer_timeout.count()}};
                self->svc_.routes->send_event(e[i + 3].str, e[i + 2].str, std::move(offer));
            }
            if (made >= offer_batch) {
                self->match_one();
                return;
            }
            // Everything matchable now has its offer; changes since the call
            // was sent (kicks meanwhile) get one more round.
            self->running_ = false;
            if (self->again_) self->kick();
        });
}

void matcher::expire_offers() {
    svc_.redis->eval(scripts::offers_expire(), {keys::queue_prefix},
                     {std::to_string(now_ms()), svc_.cfg.missed_offer_sets_away ? "1" : "0"},
                     [self = shared_from_this()](redis::value v) {
                         if (v.failed()) return;
                         auto& e = v.elements;
                         for (std::size_t i = 0; i + 2 < e.size(); i += 3) {
                             self->svc_.routes->send_event(
                                 e[i + 2].str, e[i + 1].str,
                                 {{"e", "offer_withdrawn"},
                                  {"offer_id", e[i].str},
                                  {"reason", "expired"},
                                  {"away", self->svc_.cfg.missed_offer_sets_away}});
                         }
                         if (!e.empty()) self->kick();
                     });
}

void matcher::heartbeat_and_reap() {
    auto now = std::chrono::steady_clock::now();
    if (now - last_heartbeat_ < svc_.cfg.heartbeat_interval) return;
    last_heartbeat_ = now;
    svc_.redis->exec({"ZADD", keys::nodes, std::to_string(now_ms()), svc_.node_id}, [](redis::value) {});
    reap(svc_.node_id);
}

void matcher::reap(const std::string& spare_node, const std::string& register_node) {
    auto dead_after = std::chrono::milliseconds(svc_.cfg.presence_timeout).count();
    svc_.redis->eval(
        scripts::nodes_reap(), {keys::queue_prefix},
        {std::to_string(now_ms()), std::to_string(dead_after), spare_node, register_node},
        [self = shared_from_this()](redis::value v) {
            if (v.failed() || v.elements.empty()) return;
            auto& e = v.elements;
            for (std::size_t i = 0; i + 3 < e.size(); i += 4) {
                auto& kind = e[i].str;
                if (kind == "node") {
                    log::warn("node_lost", {{"node", e[i + 1].str}});
                } else if (kind == "conv") {
                    self->svc_.routes->send_event(e[i + 3].str, e[i + 2].str,
                                                  {{"e", "conv_end"},
                                                   {"cid", e[i + 1].str},
                                                   {"reason", "partner_disconnected"},
                                                   {"by", "server"}});
                } else if (kind == "offer") {
                    self->svc_.routes->send_event(e[i + 3].str, e[i + 2].str,
                                                  {{"e", "offer_withdrawn"},
                                                   {"offer_id", e[i + 1].str},
                                                   {"reason", "gp_left"}});
                }
            }
            self->svc_.routes->broadcast({{"b", "queue"}});
            self->kick();
        });
}

void matcher::sweep_detached() {
    svc_.redis->eval(
        scripts::detached_sweep(), {keys::queue_prefix}, {std::to_string(now_ms())},
        [self = shared_from_this()](redis::value v) {
            if (v.failed() || v.elements.empty()) return;
            auto& svc = self->svc_;
            auto now = std::to_string(now_ms());
            auto wrapup = std::to_string(std::chrono::milliseconds(svc.cfg.wrapup).count());
            for (std::size_t i = 0; i + 1 < v.elements.size(); i += 2) {
                auto state = nlohmann::json::parse(v.elements[i + 1].str, nullptr, false);
                if (state.is_discarded() || !state.is_object()) continue;
                log::info("session_resume_expired");
                auto rid = state.value("rid", "");
                if (!rid.empty()) {
                    svc.redis->eval(scripts::queue_leave(), {keys::queue_prefix},
                                    {rid, now, "disconnected"},
                                    [self](redis::value r) { self->request_left(r); });
                }
                for (auto& c : state.value("convs", nlohmann::json::array())) {
                    auto cid = c.value("cid", "");
                    // The partner may have moved since; the routing record knows.
                    svc.redis->eval(scripts::conversation_end(), {keys::queue_prefix},
                                    {cid, now, wrapup, "partner_disconnected"},
                                    [self, cid, sid = v.elements[i].str](redis::value r) {
                                        if (r.failed() || r.elements.size() != 6) return;
                                        auto& e = r.elements;
                                        bool gp_left = e[0].str == sid;
                                        self->svc_.routes->send_event(
                                            gp_left ? e[3].str : e[1].str, gp_left ? e[2].str : e[0].str,
                                            {{"e", "conv_end"},
                                             {"cid", cid},
                                             {"reason", "partner_disconnected"},
                                             {"by", "server"}});
                                    });
                }
            }
            self->svc_.routes->broadcast({{"b", "queue"}});
            self->kick();
        });
}

void matcher::request_left(const redis::value& v) {
    if (v.failed()) return;
    if (v.elements.size() == 4 && v.elements[0].str == "withdrawn") {
        svc_.routes->send_event(v.elements[3].str, v.elements[2].str,
                                {{"e", "offer_withdrawn"},
                                 {"offer_id", v.elements[1].str},
                                 {"reason", "gp_left"}});
        kick();
    }
    svc_.routes->broadcast({{"b", "queue"}});
}

} // namespace peerline
