// The staff side of a client session: a listener's availability (only on
// shift), offers, the wrap-up pause, shift limits and escalation to the duty
// supervisors; an administrator's presence as a supervisor.
#include "domain/client_session.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "domain/keys.hpp"
#include "domain/matcher.hpp"
#include "domain/router.hpp"
#include "domain/rota_service.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "peerline/crypto/crypto.hpp"
#include "redis/client.hpp"

namespace peerline {

namespace pr = protocol;
namespace pc = protocol::cluster;
using ec = protocol::error_code;

namespace {
constexpr int conversation_ttl_s = 24 * 3600;

long long to_ms(std::chrono::sys_seconds t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
} // namespace

void client_session::on_set_availability(const pr::set_availability& m) {
    std::chrono::sys_seconds until{};
    if (m.state == pr::availability::available) {
        auto now = std::chrono::floor<std::chrono::seconds>(clock::now());
        auto on_shift = svc_.rota->snapshot()->on_shift_until(staff().username_, now);
        if (!on_shift) {
            send_error(ec::not_on_shift, "set_availability");
            return;
        }
        until = *on_shift;
    }
    // The shift's limits are counted per listener in Redis (listener_set_state.lua),
    // so a reload or a second device continues the same count.
    eval_then(scripts::listener_set_state(),
              listener_state_args(std::string(pr::to_string(m.state)), to_ms(until)),
              [this, wanted = m.state, until](redis::value v) {
                  if (!v.failed() && v.elements.size() == 2 && v.elements[0].str == "limit") {
                      // A presence restore (heartbeat) of a session that is
                      // available here: the limit was reached elsewhere.
                      if (staff().availability_ == pr::availability::available)
                          return go_away("shift_limit");
                      send_error(ec::invalid_state, "set_availability",
                                 v.elements[1].str == "hours"
                                     ? "the shift's hours limit is reached"
                                     : "the shift's conversation limit is reached");
                      return;
                  }
                  if (v.failed() || v.elements.size() != 3) {
                      send_error(ec::service_unavailable, "set_availability");
                      return;
                  }
                  staff().availability_ = wanted;
                  staff().wrapup_until_ms_ = v.elements[1].integer;
                  if (wanted != pr::availability::available) {
                      staff().shift_timer_.cancel();
                      send_listener_state();
                      return;
                  }
                  staff().shift_started_ms_ = v.elements[2].integer;
                  arm_shift_timer(until);
                  // start_wrapup says "wrapup" and, later, "available"
                  if (staff().wrapup_until_ms_ > now_ms())
                      start_wrapup(staff().wrapup_until_ms_);
                  else
                      send_listener_state();
                  svc_.match->kick();
              });
}

// Off shift means off: the server sets the listener away when the shift
// ends, or earlier when the time they may stay available in it
// (--max-shift-hours) runs out.
void client_session::arm_shift_timer(std::chrono::sys_seconds until) {
    std::string reason = "shift_ended";
    long long until_ms = to_ms(until);
    auto max_ms = std::chrono::duration_cast<std::chrono::milliseconds>(svc_.cfg.max_shift_time).count();
    if (max_ms > 0 && staff().shift_started_ms_ + max_ms < until_ms) {
        until_ms = staff().shift_started_ms_ + max_ms; // the same instant listener_set_state.lua checks
        reason = "shift_limit";
    }
    staff().shift_timer_.expires_at(std::chrono::steady_clock::now() +
                                    std::chrono::milliseconds(until_ms - now_ms()));
    staff().shift_timer_.async_wait([weak = weak_from_this(), reason](boost::system::error_code e) {
        if (auto self = weak.lock(); self && !e) self->go_away(reason);
    });
}

// Every node re-reads the rota when an administrator changes it, then asks
// its available listeners to check again: a deleted or shortened shift takes
// the listener out of matching at once (closed days and opening hours too),
// a longer one moves the end.
void client_session::recheck_shift() {
    if (staff().availability_ != pr::availability::available) return;
    auto now = std::chrono::floor<std::chrono::seconds>(clock::now());
    auto on_shift = svc_.rota->snapshot()->on_shift_until(staff().username_, now);
    if (!on_shift) {
        go_away("shift_ended");
        return;
    }
    // The same stretch, its end moved: the stored end moves too, or a
    // lengthened shift would start a fresh count at the old end.
    svc_.redis->eval(scripts::shift_moved(), {keys::queue_prefix},
                     {staff().username_, std::to_string(to_ms(*on_shift))}, [](redis::value) {});
    arm_shift_timer(*on_shift);
}

// The server takes the listener out of matching (missed offer, shift over,
// shift limit) and says why.
void client_session::go_away(std::string reason) {
    if (staff().availability_ != pr::availability::available) return;
    staff().availability_ = pr::availability::away;
    staff().shift_timer_.cancel();
    eval_then(scripts::listener_set_state(), listener_state_args("away", 0), [](redis::value) {});
    send(pr::availability_changed{pr::listener_state::away, reason, std::nullopt});
}

std::vector<std::string> client_session::listener_state_args(std::string state,
                                                             long long stretch_end_ms) {
    auto max_shift_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(svc_.cfg.max_shift_time).count();
    return {sid_,
            svc_.node_id,
            std::move(state),
            std::to_string(staff().capacity_),
            std::to_string(now_ms()),
            std::to_string(svc_.cfg.presence_timeout.count()),
            staff().username_,
            std::to_string(channels_.size()),
            std::to_string(stretch_end_ms),
            std::to_string(svc_.cfg.max_conversations_per_shift),
            std::to_string(max_shift_ms)};
}

void client_session::send_listener_state() {
    pr::availability_changed m{pr::listener_state::away, std::nullopt, std::nullopt};
    if (staff().availability_ == pr::availability::available) {
        if (channels_.size() >= staff().capacity_) {
            m.state = pr::listener_state::busy;
        } else if (staff().wrapup_until_ms_ > now_ms()) {
            m.state = pr::listener_state::wrapup;
            m.reason = "wrapup";
            m.until_ms = static_cast<std::uint64_t>(staff().wrapup_until_ms_);
        } else {
            m.state = pr::listener_state::available;
        }
    }
    send(m);
}

// The pause after a conversation: no offers until it ends (the queue scripts
// enforce it; this tells the listener and says when it is over).
void client_session::start_wrapup(long long until_ms) {
    staff().wrapup_until_ms_ = until_ms;
    send_listener_state();
    staff().wrapup_timer_.expires_after(
        std::chrono::milliseconds(std::max(0LL, until_ms - now_ms())));
    staff().wrapup_timer_.async_wait([weak = weak_from_this()](boost::system::error_code e) {
        auto self = weak.lock();
        if (!self || e || self->phase_ != phase::ready) return;
        self->send_listener_state();
        self->svc_.match->kick();
    });
}

void client_session::on_offer_event(const pc::offer_made& ev) {
    staff().offers_.insert(ev.offer_id);
    send(pr::offer{ev.offer_id, ev.about, ev.urgent, ev.expires_in_ms});
}

void client_session::on_offer_withdrawn_event(const pc::offer_withdrawn& ev) {
    if (staff().offers_.erase(ev.offer_id) == 0) return;
    send(pr::offer_withdrawn{ev.offer_id,
                             ev.reason == pc::withdrawal::gp_left ? "gp_left" : "expired"});
    if (ev.sets_away && staff().availability_ == pr::availability::available) {
        // The queue script already set the record away; mirror it here.
        staff().availability_ = pr::availability::away;
        staff().shift_timer_.cancel();
        send(pr::availability_changed{pr::listener_state::away, "offer_missed", std::nullopt});
    }
}

void client_session::on_accept_offer(const pr::accept_offer& m) {
    if (!staff().offers_.count(m.offer_id)) {
        send_error(ec::no_such_offer, "accept_offer");
        return;
    }
    auto conversation_id = crypto::random_hex(16);
    eval_then(scripts::offer_accept(),
              {m.offer_id, sid_, conversation_id, std::to_string(now_ms()),
               std::to_string(conversation_ttl_s),
               std::to_string(svc_.cfg.max_conversations_per_shift)},
              [this, offer_id = m.offer_id, conversation_id](redis::value v) {
                  if (v.failed()) {
                      send_error(ec::service_unavailable, "accept_offer");
                      return;
                  }
                  staff().offers_.erase(offer_id);
                  if (v.elements.size() == 1 && v.elements[0].str == "limit") {
                      // Reached on another of this listener's sessions.
                      send_error(ec::invalid_state, "accept_offer",
                                 "the shift's conversation limit is reached");
                      go_away("shift_limit");
                      svc_.match->kick(); // the request is offered to someone else
                      return;
                  }
                  if (v.elements.size() != 6 || v.elements[0].str != "ok") {
                      send_error(ec::no_such_offer, "accept_offer");
                      return;
                  }
                  route r{conversation_id, v.elements[1].str, v.elements[2].str, 0, {}, {}};
                  if (r.peer_node == svc_.node_id) r.local_peer = svc_.routes->find_local(r.peer_sid);
                  auto channel = open_channel(r);
                  // The GP's side opens its channel and confirms with conv_ack;
                  // only then does this listener hear conversation_started.
                  svc_.routes->send_event(r.peer_node, r.peer_sid,
                                          pc::conversation_start{conversation_id, sid_, svc_.node_id,
                                                                 channel, staff().username_});
                  svc_.routes->broadcast(pc::queue_changed{});
                  auto limit = svc_.cfg.max_conversations_per_shift;
                  if (limit > 0 && v.elements[5].integer >= static_cast<long long>(limit))
                      go_away("shift_limit");
                  else if (channels_.size() < staff().capacity_)
                      svc_.match->kick(); // room for another
              });
}

void client_session::on_decline_offer(const pr::decline_offer& m) {
    if (!staff().offers_.count(m.offer_id)) {
        send_error(ec::no_such_offer, "decline_offer");
        return;
    }
    eval_then(scripts::offer_decline(), {m.offer_id, sid_, std::to_string(now_ms())},
              [this, offer_id = m.offer_id](redis::value v) {
                  if (v.failed()) {
                      send_error(ec::service_unavailable, "decline_offer");
                      return;
                  }
                  staff().offers_.erase(offer_id);
                  send(pr::offer_withdrawn{offer_id, "declined"});
                  svc_.match->kick();
              });
}

// Asks every duty supervisor (administrators connected now, on any node) for
// help with a conversation; the listener hears how many were told.
void client_session::on_escalate(const pr::escalate& m) {
    route* r = find_channel(m.channel);
    if (r == nullptr) {
        send_error(ec::unknown_channel, "escalate");
        return;
    }
    auto now = now_ms();
    auto online_since = now - std::chrono::milliseconds(svc_.cfg.presence_timeout).count();
    svc_.routes->broadcast(pc::escalation_raised{staff().username_, r->conversation_id});
    auto stats_key = keys::stats_hour(now / 3'600'000);
    svc_.redis->eval(scripts::stats_count(), {stats_key}, {"escalations"}, [](redis::value) {});
    log::info("escalation_requested");
    exec_then({"ZCOUNT", keys::supervisors_online, std::to_string(online_since), "+inf"},
              [this, channel = m.channel](redis::value v) {
                  if (v.failed()) {
                      send_error(ec::service_unavailable, "escalate");
                      return;
                  }
                  send(pr::escalation_sent{channel, static_cast<std::uint32_t>(v.integer)});
              });
}

} // namespace peerline
