#include "domain/node_janitor.hpp"

#include "core/log.hpp"
#include "domain/matcher.hpp"
#include "domain/router.hpp"
#include "domain/services.hpp"
#include "redis/client.hpp"

#include <boost/asio/dispatch.hpp>

namespace peerline {

namespace net = boost::asio;
namespace pr = protocol;
namespace pc = protocol::cluster;

node_janitor::node_janitor(services& svc, std::shared_ptr<matcher> match)
    : svc_(svc), match_(std::move(match)), queue_(*svc.redis), sessions_(*svc.redis),
      timer_(svc.redis->get_executor()) {}

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
    queue_.heartbeat(svc_.node_id, 0);
    last_heartbeat_ = std::chrono::steady_clock::now();
    reap("", svc_.node_id);
}

void node_janitor::expire_offers() {
    queue_.expire_offers(now_ms(), svc_.cfg.missed_offer_sets_away,
                         [self = shared_from_this()](std::vector<queue_store::expired_offer> expired) {
                             for (auto& o : expired)
                                 self->svc_.routes->send_event(
                                     o.listener.node, o.listener.sid,
                                     pc::offer_withdrawn{o.offer_id, pc::withdrawal::expired,
                                                         self->svc_.cfg.missed_offer_sets_away});
                             if (!expired.empty()) self->match_->kick();
                         });
}

void node_janitor::heartbeat_and_reap() {
    auto now = std::chrono::steady_clock::now();
    if (now - last_heartbeat_ < svc_.cfg.heartbeat_interval) return;
    last_heartbeat_ = now;
    queue_.heartbeat(svc_.node_id, now_ms());
    reap(svc_.node_id);
}

void node_janitor::reap(const std::string& spare_node, const std::string& register_node) {
    auto dead_after = std::chrono::milliseconds(svc_.cfg.presence_timeout);
    queue_.reap_nodes(
        now_ms(), dead_after, spare_node, register_node,
        [self = shared_from_this()](std::optional<queue_store::reaped> r) {
            if (!r) return;
            for (auto& node : r->lost_nodes) log::warn("node_lost", {{"node", node}});
            for (auto& c : r->conversations)
                self->svc_.routes->send_event(c.survivor.node, c.survivor.sid,
                                              pc::conversation_end{c.conversation_id,
                                                                   pr::end_reason::partner_disconnected,
                                                                   pr::ended_by::server});
            for (auto& o : r->offers)
                self->svc_.routes->send_event(o.listener.node, o.listener.sid,
                                              pc::offer_withdrawn{o.offer_id, pc::withdrawal::gp_left});
            self->svc_.routes->broadcast(pc::queue_changed{});
            self->match_->kick();
        });
}

void node_janitor::sweep_detached() {
    sessions_.sweep_detached(
        now_ms(), [self = shared_from_this()](std::vector<sessions_store::swept_session> swept) {
            if (swept.empty()) return;
            auto now = now_ms();
            auto wrapup = std::chrono::milliseconds(self->svc_.cfg.wrapup);
            for (auto& s : swept) {
                if (!s.held) {
                    log::warn("detached_record_malformed", {{"error", s.malformed}});
                    continue;
                }
                log::info("session_resume_expired");
                const auto& rid = s.held->request_id;
                if (!rid.empty())
                    self->queue_.leave(rid, now, "disconnected",
                                       [self](queue_store::left l) { self->match_->request_left(l); });
                for (const auto& c : s.held->conversations) {
                    const auto& cid = c.conversation_id;
                    // The partner may have moved since; the routing record knows.
                    self->queue_.end_conversation(
                        cid, now, wrapup, "partner_disconnected",
                        [self, cid, sid = s.sid](std::optional<queue_store::ended> e) {
                            if (!e) return;
                            const auto& partner = e->gp.sid == sid ? e->listener : e->gp;
                            self->svc_.routes->send_event(
                                partner.node, partner.sid,
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
