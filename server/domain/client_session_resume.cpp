// Resuming after a dropped connection. The session token is the resume
// credential (it never travels in URLs and GPs keep theirs only in the tab's
// memory). On a drop with something worth keeping (a place in the queue, open
// conversations) the session writes its state to Redis for the grace period
// and tells its partners "reconnecting". A hello with the same token on any
// node claims that state exactly once (session_resume.lua), moves the request
// and conversations to the new node, and tells the partners where it is now.
// If nobody claims it in time, any node's janitor (detached_sweep.lua) ends
// what it held, so clean-up does not depend on the old node surviving.
#include "domain/client_session.hpp"

#include "core/log.hpp"
#include "domain/keys.hpp"
#include "domain/live_stats.hpp"
#include "domain/matcher.hpp"
#include "domain/router.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "redis/client.hpp"


namespace peerline {

namespace pr = protocol;
namespace pc = protocol::cluster;

bool client_session::has_state() const {
    return !channels_.empty() || (role_ == pr::role::gp && gp_ == gp_state::waiting);
}

void client_session::detach() {
    pc::detached_session state;
    if (gp_ == gp_state::waiting) state.request_id = request_id_;
    for (auto& [channel, r] : channels_) {
        state.conversations.push_back(
            {r.conversation_id, r.peer_sid, r.peer_node, r.peer_channel, r.listener});
        svc_.routes->send_event(r.peer_node, r.peer_sid, pc::peer_detached{r.conversation_id});
    }
    auto grace_ms = std::chrono::milliseconds(svc_.cfg.resume_grace).count();
    svc_.redis->eval(scripts::session_detach(), {keys::queue_prefix},
                     {sid_, state.request_id, std::to_string(grace_ms), pc::encode(state),
                      std::to_string(now_ms())},
                     [match = svc_.match](redis::value v) {
                         if (v.failed()) log::warn("session_detach_not_recorded");
                         else match->request_left(v); // an offer pending on the request is withdrawn
                     });
    // A listener who dropped takes no new offers until they are back.
    if (role_ == pr::role::listener) {
        auto* match = svc_.match;
        svc_.redis->eval(scripts::listener_gone(), {keys::queue_prefix}, {sid_},
                         [match](redis::value v) {
                             if (!v.failed() && !v.elements.empty() && v.elements[0].str == "requeued")
                                 match->kick();
                         });
    }
    log::info("session_detached", {{"role", pr::to_string(role_)}});
}

void client_session::resume_or_welcome() {
    eval_then(scripts::session_resume(), {sid_, svc_.node_id}, [this](redis::value v) {
        send(pr::welcome{role_, svc_.cfg.limits.max_control_frame_bytes,
                         svc_.cfg.limits.max_relay_frame_bytes});
        if (!v.failed() && v.type == redis::value::kind::array && v.elements.size() >= 2) restore(v);
        if (role_ == pr::role::admin) {
            svc_.redis->exec({"ZADD", keys::supervisors_online, std::to_string(now_ms()), sid_},
                             [](redis::value) {});
            if (svc_.live_feed) svc_.live_feed->add(weak_from_this());
        }
        if (role_ != pr::role::gp) start_heartbeat();
    });
}

void client_session::restore(const redis::value& v) {
    auto decoded = pc::decode_detached_session(v.elements[0].str, pc::node_limits{});
    if (!decoded) {
        log::warn("detached_record_malformed",
                  {{"error", std::string(pr::to_string(decoded.err->code))}});
        return;
    }
    const auto& state = *decoded.value;
    log::info("session_resumed", {{"role", pr::to_string(role_)}});
    const auto& request_status = v.elements[1].str;
    if (role_ == pr::role::gp && request_status == "waiting") {
        request_id_ = state.request_id;
        gp_ = gp_state::waiting;
        last_queued_.reset();
        max_wait_timer_.expires_after(svc_.cfg.max_wait);
        max_wait_timer_.async_wait([weak = weak_from_this()](boost::system::error_code e) {
            if (auto self = weak.lock(); self && !e) self->on_max_wait();
        });
        refresh_position();
        svc_.match->kick();
    } else if (role_ == pr::role::gp && request_status == "gone") {
        send(pr::left_queue{});
    }
    const auto& convs = state.conversations;
    for (std::size_t i = 0; i < convs.size() && 2 + i < v.elements.size(); ++i) {
        if (v.elements[2 + i].str != "ok") continue; // ended while we were away
        const auto& c = convs[i];
        route r{c.conversation_id, c.peer_sid, c.peer_node, c.peer_channel, {}, c.listener};
        if (r.peer_node == svc_.node_id) r.local_peer = svc_.routes->find_local(r.peer_sid);
        auto cid = r.conversation_id, peer_node = r.peer_node, peer_sid = r.peer_sid;
        auto channel = open_channel(std::move(r));
        if (role_ == pr::role::gp) gp_ = gp_state::in_conversation;
        send(pr::conversation_started{channel, cid,
                                      role_ == pr::role::gp ? pr::role::listener : pr::role::gp});
        svc_.routes->send_event(peer_node, peer_sid, pc::peer_moved{cid, svc_.node_id, channel});
    }
}

void client_session::on_peer_detached(const pc::peer_detached& ev) {
    auto channel = channel_of(ev.conversation_id);
    route* r = find_channel(channel);
    if (r == nullptr) return;
    r->local_peer.reset();
    send(pr::partner_status{channel, "reconnecting"});
}

void client_session::on_peer_moved(const pc::peer_moved& ev) {
    auto channel = channel_of(ev.conversation_id);
    route* r = find_channel(channel);
    if (r == nullptr) return;
    r->peer_node = ev.peer_node;
    r->peer_channel = ev.peer_channel;
    r->local_peer.reset();
    if (r->peer_node == svc_.node_id) r->local_peer = svc_.routes->find_local(r->peer_sid);
    send(pr::partner_status{channel, "back"});
}

} // namespace peerline
