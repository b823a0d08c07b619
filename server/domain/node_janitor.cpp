#include "domain/node_janitor.hpp"

#include "core/log.hpp"
#include "domain/keys.hpp"
#include "domain/matcher.hpp"
#include "domain/router.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "redis/client.hpp"

#include <boost/asio/dispatch.hpp>

namespace peerline {

namespace net = boost::asio;
namespace pr = protocol;
namespace pc = protocol::cluster;

node_janitor::node_janitor(services& svc, std::shared_ptr<matcher> match)
    : svc_(svc), match_(std::move(match)), timer_(svc.redis->get_executor()) {}

void node_janitor::start() {
    // Redis is usually not connected yet: register on the first connection.
    // The state callback runs on the Redis client's executor the moment it
    // connects, so these commands go out before any client's.
    svc_.redis->on_state_change([self = shared_from_this()](bool up) {
        if (up) self->register_self();
    });
    net::dispatch(timer_.get_executor(), [self = shared_from_this()] { self->register_self(); });
    schedule_tick();
}

void node_janitor::stop() {
    net::dispatch(timer_.get_executor(), [self = shared_from_this()] {
        self->stopped_ = true;
        self->timer_.cancel();
    });
}

void node_janitor::schedule_tick() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->stopped_) return;
        self->expire_offers();
        self->heartbeat_and_reap();
        self->sweep_detached();
        self->schedule_tick();
    });
}

// Anything still indexed to this node's id is left over from an earlier run
// (nothing is connected yet): mark it stale so the reap cleans it up, and
// have the same script register this node as alive, atomically, so there is
// no moment when a running node is missing from the registry. Once per
// process, before this node holds any state of its own.
void node_janitor::register_self() {
    if (registered_ || !svc_.redis->ready()) return;
    registered_ = true;
    svc_.redis->exec({"ZADD", keys::nodes, "0", svc_.node_id}, [](redis::value) {});
    last_heartbeat_ = std::chrono::steady_clock::now();
    reap("", svc_.node_id);
}

void node_janitor::expire_offers() {
    svc_.redis->eval(scripts::offers_expire(), {keys::queue_prefix},
                     {std::to_string(now_ms()), svc_.cfg.missed_offer_sets_away ? "1" : "0"},
                     [self = shared_from_this()](redis::value v) {
                         if (v.failed()) return;
                         auto& e = v.elements;
                         for (std::size_t i = 0; i + 2 < e.size(); i += 3) {
                             self->svc_.routes->send_event(
                                 e[i + 2].str, e[i + 1].str,
                                 pc::offer_withdrawn{e[i].str, pc::withdrawal::expired,
                                                     self->svc_.cfg.missed_offer_sets_away});
                         }
                         if (!e.empty()) self->match_->kick();
                     });
}

void node_janitor::heartbeat_and_reap() {
    auto now = std::chrono::steady_clock::now();
    if (now - last_heartbeat_ < svc_.cfg.heartbeat_interval) return;
    last_heartbeat_ = now;
    svc_.redis->exec({"ZADD", keys::nodes, std::to_string(now_ms()), svc_.node_id}, [](redis::value) {});
    reap(svc_.node_id);
}

void node_janitor::reap(const std::string& spare_node, const std::string& register_node) {
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
                    self->svc_.routes->send_event(
                        e[i + 3].str, e[i + 2].str,
                        pc::conversation_end{e[i + 1].str, pr::end_reason::partner_disconnected,
                                             pr::ended_by::server});
                } else if (kind == "offer") {
                    self->svc_.routes->send_event(e[i + 3].str, e[i + 2].str,
                                                  pc::offer_withdrawn{e[i + 1].str, pc::withdrawal::gp_left});
                }
            }
            self->svc_.routes->broadcast(pc::queue_changed{});
            self->match_->kick();
        });
}

void node_janitor::sweep_detached() {
    svc_.redis->eval(
        scripts::detached_sweep(), {keys::queue_prefix}, {std::to_string(now_ms())},
        [self = shared_from_this()](redis::value v) {
            if (v.failed() || v.elements.empty()) return;
            auto& svc = self->svc_;
            auto now = std::to_string(now_ms());
            auto wrapup = std::to_string(std::chrono::milliseconds(svc.cfg.wrapup).count());
            for (std::size_t i = 0; i + 1 < v.elements.size(); i += 2) {
                auto state = pc::decode_detached_session(v.elements[i + 1].str, pc::node_limits{});
                if (!state) {
                    log::warn("detached_record_malformed",
                              {{"error", std::string(pr::to_string(state.err->code))}});
                    continue;
                }
                log::info("session_resume_expired");
                const auto& rid = state.value->request_id;
                if (!rid.empty()) {
                    svc.redis->eval(scripts::queue_leave(), {keys::queue_prefix},
                                    {rid, now, "disconnected"},
                                    [self](redis::value r) { self->match_->request_left(r); });
                }
                for (const auto& c : state.value->conversations) {
                    const auto& cid = c.conversation_id;
                    // The partner may have moved since; the routing record knows.
                    svc.redis->eval(scripts::conversation_end(), {keys::queue_prefix},
                                    {cid, now, wrapup, "partner_disconnected"},
                                    [self, cid, sid = v.elements[i].str](redis::value r) {
                                        if (r.failed() || r.elements.size() != 6) return;
                                        auto& e = r.elements;
                                        bool gp_left = e[0].str == sid;
                                        self->svc_.routes->send_event(
                                            gp_left ? e[3].str : e[1].str, gp_left ? e[2].str : e[0].str,
                                            pc::conversation_end{cid, pr::end_reason::partner_disconnected,
                                                                 pr::ended_by::server});
                                    });
                }
            }
            self->svc_.routes->broadcast(pc::queue_changed{});
            self->match_->kick();
        });
}

} // namespace peerline
