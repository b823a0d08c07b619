#include "domain/client_session.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "domain/frame_pool.hpp"
#include "domain/keys.hpp"
#include "domain/live_stats.hpp"
#include "domain/matcher.hpp"
#include "domain/queue_positions.hpp"
#include "domain/router.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "domain/session_auth.hpp"
#include "peerline/crypto/crypto.hpp"
#include "peerline/protocol/relay_frame.hpp"
#include "redis/client.hpp"

#include <algorithm>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace peerline {

namespace net = boost::asio;
namespace pr = protocol;
namespace pc = protocol::cluster;
using ec = protocol::error_code;

namespace {
// WebSocket close codes (RFC 6455).
constexpr std::uint16_t close_policy_violation = 1008;
constexpr std::uint16_t close_going_away = 1001;
constexpr std::uint16_t close_try_again_later = 1013;

template <class... F> struct overloaded : F... {
    using F::operator()...;
};
template <class... F> overloaded(F...) -> overloaded<F...>;
} // namespace

client_session::client_session(services& svc, net::any_io_executor ex,
                               std::weak_ptr<connection_sink> sink)
    : svc_(svc), ex_(std::move(ex)), sink_(std::move(sink)), hello_timer_(ex_),
      heartbeat_timer_(ex_), max_wait_timer_(ex_) {}

// ---------------------------------------------------------------------------
// Connection events
// ---------------------------------------------------------------------------

void client_session::on_open() {
    hello_timer_.expires_after(svc_.cfg.hello_timeout);
    hello_timer_.async_wait([weak = weak_from_this()](boost::system::error_code e) {
        auto self = weak.lock();
        if (e || !self || self->phase_ != phase::awaiting_hello) return;
        self->send_error(ec::not_authenticated, "", "no hello before the timeout");
        if (auto sink = self->sink_.lock()) sink->close(close_policy_violation, "hello timeout");
    });
}

void client_session::on_text(std::string_view frame) {
    if (phase_ == phase::closed) return;
    auto decoded = pr::decode_client_message(frame, svc_.cfg.limits);
    if (!decoded) {
        // Never echo a type we do not know: it is client-supplied text.
        svc_.counters->protocol_errors.fetch_add(1, std::memory_order_relaxed);
        bool known = decoded.err->code != ec::unknown_type && decoded.err->code != ec::missing_type;
        send(pr::error_message{*decoded.err, known ? decoded.type : std::string()});
        return;
    }
    handle(*decoded.value);
}

void client_session::on_binary(std::string_view frame) {
    if (phase_ != phase::ready) {
        send_error(ec::not_authenticated, "relay");
        return;
    }
    auto parsed = pr::parse_relay_header(reinterpret_cast<const std::uint8_t*>(frame.data()),
                                         frame.size(), svc_.cfg.limits);
    if (!parsed.header) {
        send(pr::error_message{*parsed.err, "relay"});
        return;
    }
    route* r = find_channel(parsed.header->channel);
    if (r == nullptr || r->peer_channel == 0) {
        send_error(ec::unknown_channel, "relay");
        return;
    }
    svc_.counters->relayed_frames.fetch_add(1, std::memory_order_relaxed);
    svc_.counters->relayed_bytes.fetch_add(frame.size(), std::memory_order_relaxed);
    if (auto peer = r->local_peer.lock()) {
        // The one copy of the payload on this node: into a buffer the
        // partner's write queue can share, the channel rewritten for the
        // receiver.
        auto out = frame_pool::copy(frame); // recycled buffer: no allocation per frame
        pr::rewrite_relay_channel(reinterpret_cast<std::uint8_t*>(out->data()), r->peer_channel);
        peer->post_frame(std::move(out));
    } else {
        // Another node: the router copies the frame from the read buffer
        // straight into this thread's batch for that node (the one copy
        // here) and rewrites the channel there.
        svc_.routes->send_relay_remote(r->peer_node, r->peer_sid, frame, r->peer_channel, ex_);
    }
}

void client_session::on_closed() {
    if (phase_ == phase::closed) return;
    bool was_ready = phase_ == phase::ready;
    phase_ = phase::closed;
    for (auto* t : {&hello_timer_, &heartbeat_timer_, &max_wait_timer_}) t->cancel();
    if (staff_) {
        staff_->wrapup_timer_.cancel();
        staff_->shift_timer_.cancel();
    }
    if (!request_id_.empty()) svc_.positions->unwatch(request_id_); // detached or gone: nobody to tell
    if (!was_ready) return;
    svc_.routes->remove(sid_, this);
    if (has_state() && svc_.cfg.resume_grace.count() > 0) {
        detach();
    } else {
        end_everything_on_disconnect();
    }
}

// Ends everything the session had open: after a disconnect without anything
// worth resuming, or when the resume grace period ran out.
void client_session::end_everything_on_disconnect() {
    auto& redis = *svc_.redis;
    auto* routes = svc_.routes;
    auto* match = svc_.match;
    auto wrapup_ms = std::to_string(std::chrono::milliseconds(svc_.cfg.wrapup).count());
    for (auto& [channel, r] : channels_) {
        routes->send_event(r.peer_node, r.peer_sid,
                           pc::conversation_end{r.conversation_id, pr::end_reason::partner_disconnected,
                                                pr::ended_by::server});
        redis.eval(scripts::conversation_end(), {keys::queue_prefix},
                   {r.conversation_id, std::to_string(now_ms()), wrapup_ms, "partner_disconnected"},
                   [match](redis::value) { match->kick(); });
    }
    channels_.clear();
    if (role_ == pr::role::gp && (gp_ == gp_state::waiting || gp_ == gp_state::requesting) &&
        !request_id_.empty()) {
        redis.eval(scripts::queue_leave(), {keys::queue_prefix},
                   {request_id_, std::to_string(now_ms()), "disconnected"},
                   [match](redis::value v) { match->request_left(v); });
    }
    if (role_ == pr::role::listener) {
        redis.eval(scripts::listener_gone(), {keys::queue_prefix}, {sid_},
                   [match](redis::value v) {
                       if (!v.failed() && !v.elements.empty() && v.elements[0].str == "requeued")
                           match->kick();
                   });
    }
    if (role_ == pr::role::admin) {
        redis.exec({"ZREM", keys::supervisors_online, sid_}, [](redis::value) {});
        if (svc_.live_feed) svc_.live_feed->remove(this);
    }
}

// ---------------------------------------------------------------------------
// Control messages
// ---------------------------------------------------------------------------

void client_session::handle(const pr::client_message& m) {
    auto type = pr::type_name(m);
    if (std::holds_alternative<pr::hello>(m)) {
        on_hello(std::get<pr::hello>(m));
        return;
    }
    if (phase_ != phase::ready) {
        send_error(phase_ == phase::authenticating ? ec::invalid_state : ec::not_authenticated, type);
        return;
    }
    if (!pr::role_allowed(m, role_)) {
        send_error(ec::wrong_role, type);
        return;
    }
    std::visit(overloaded{
                   [](const pr::hello&) {},
                   [this](const pr::request_chat& x) { on_request_chat(x); },
                   [this](const pr::leave_queue&) { on_leave_queue(); },
                   [this](const pr::set_availability& x) { on_set_availability(x); },
                   [this](const pr::accept_offer& x) { on_accept_offer(x); },
                   [this](const pr::decline_offer& x) { on_decline_offer(x); },
                   [this](const pr::end_conversation& x) { on_end_conversation(x); },
                   [this](const pr::escalate& x) { on_escalate(x); },
                   [this](const pr::ping&) { send(pr::pong{}); },
               },
               m);
}

void client_session::on_hello(const pr::hello& m) {
    if (phase_ != phase::awaiting_hello) {
        send_error(ec::already_authenticated, "hello");
        return;
    }
    if (!crypto::is_well_formed_token(m.token)) {
        send_error(ec::invalid_token, "hello");
        return;
    }
    phase_ = phase::authenticating;
    auto refuse = [this](ec code) {
        phase_ = phase::awaiting_hello;
        send_error(code, "hello");
    };
    async_authenticate(
        *svc_.redis, m.token,
        net::bind_executor(ex_, [self = shared_from_this(), refuse](authentication a) {
            if (self->phase_ != phase::authenticating) return;
            if (a.result == authentication::status::unavailable) return refuse(ec::service_unavailable);
            if (!a.ok() || a.sid.size() != 32) return refuse(ec::invalid_token);
            self->role_ = a.role;
            self->sid_ = std::move(a.sid);
            // A GP has no staff state; a listener's capacity (concurrent
            // conversations) is the account's.
            if (a.role != pr::role::gp) {
                self->staff().username_ = std::move(a.username);
                self->staff().capacity_ = a.capacity;
            }
            self->on_ready();
        }));
}

void client_session::on_ready() {
    if (auto sink = sink_.lock(); sink && !sink->count_as_authenticated()) {
        // Not ready: nothing was registered, so the close leaves nothing behind.
        log::info("session_refused_address_cap", {{"role", pr::to_string(role_)}});
        sink->close(close_try_again_later, "too many sessions from this address");
        return;
    }
    phase_ = phase::ready;
    hello_timer_.release(); // not needed again on this connection
    svc_.routes->add(sid_, shared_from_this());
    resume_or_welcome();
}

// Staff presence: listeners refresh their record's expiry, administrators
// their place among the duty supervisors. A record that expired meanwhile
// (Redis restarted, or this node was slow) is written again.
void client_session::start_heartbeat() {
    heartbeat_timer_.expires_after(svc_.cfg.heartbeat_interval);
    heartbeat_timer_.async_wait([weak = weak_from_this()](boost::system::error_code e) {
        auto self = weak.lock();
        if (e || !self || self->phase_ != phase::ready) return;
        self->on_heartbeat();
        self->start_heartbeat();
    });
}

// Ends this connection when its staff account was disabled (or deleted).
void client_session::close_if_account_disabled(const redis::value& disabled) {
    if (disabled.failed() || (!disabled.is_nil() && disabled.str != "1")) return;
    log::info("session_closed_account_disabled", {{"role", pr::to_string(role_)}});
    send_error(ec::invalid_token, "", "the account was disabled");
    if (auto sink = sink_.lock()) sink->close(close_policy_violation, "account disabled");
}

void client_session::on_heartbeat() {
    // Every node notices a disabled account within one heartbeat.
    exec_then({"HGET", keys::account(staff().username_), "disabled"},
              [this](redis::value d) { close_if_account_disabled(d); });
    if (role_ == pr::role::admin) {
        svc_.redis->exec({"ZADD", keys::supervisors_online, std::to_string(now_ms()), sid_},
                         [](redis::value) {});
        return;
    }
    auto key = keys::queue_prefix + ":listener:" + sid_;
    exec_then({"EXPIRE", key, std::to_string(svc_.cfg.presence_timeout.count())},
              [this](redis::value v) {
                  if (v.type == redis::value::kind::integer && v.integer == 0 &&
                      staff().availability_ == pr::availability::available) {
                      log::info("listener_presence_restored");
                      on_set_availability(pr::set_availability{pr::availability::available});
                  }
              });
}

void client_session::eval_then(const redis::script& s, std::vector<std::string> args,
                               std::function<void(redis::value)> then) {
    svc_.redis->async_eval(s, {keys::queue_prefix}, std::move(args),
                           net::bind_executor(ex_, [self = shared_from_this(),
                                                    then = std::move(then)](redis::value v) {
                               if (self->phase_ == phase::closed) return;
                               then(std::move(v));
                           }));
}

void client_session::exec_then(std::vector<std::string> args,
                               std::function<void(redis::value)> then) {
    svc_.redis->async_exec(std::move(args),
                           net::bind_executor(ex_, [self = shared_from_this(),
                                                    then = std::move(then)](redis::value v) {
                               if (self->phase_ == phase::closed) return;
                               then(std::move(v));
                           }));
}

void client_session::on_end_conversation(const pr::end_conversation& m) {
    route* r = find_channel(m.channel);
    if (r == nullptr) {
        send_error(ec::unknown_channel, "end_conversation");
        return;
    }
    auto reason = m.reason.value_or(pr::end_reason::completed);
    auto by = role_ == pr::role::gp ? pr::ended_by::gp : pr::ended_by::listener;
    svc_.routes->send_event(r->peer_node, r->peer_sid, pc::conversation_end{r->conversation_id, reason, by});
    auto* match = svc_.match;
    svc_.redis->eval(scripts::conversation_end(), {keys::queue_prefix},
                     {r->conversation_id, std::to_string(now_ms()),
                      std::to_string(std::chrono::milliseconds(svc_.cfg.wrapup).count()),
                      std::string(pr::to_string(reason))},
                     [match](redis::value v) {
                         if (v.failed()) log::warn("conversation_end_not_recorded");
                         match->kick();
                     });
    close_channel(m.channel, reason, by);
}

// ---------------------------------------------------------------------------
// Internal events
// ---------------------------------------------------------------------------

void client_session::post_event(pc::session_event event) {
    net::post(ex_, [self = shared_from_this(), event = std::move(event)] {
        if (self->phase_ == phase::ready) self->on_event(event);
    });
}

void client_session::post_frame(std::shared_ptr<const std::string> frame) {
    // Usually called from a session on the same thread (always with one I/O
    // thread): then the frame goes straight into the partner's write queue,
    // without a round through the scheduler.
    auto* io = ex_.target<net::io_context::executor_type>();
    if (io != nullptr && io->running_in_this_thread()) {
        if (phase_ != phase::ready) return;
        if (auto sink = sink_.lock()) sink->send_binary(std::move(frame));
        return;
    }
    net::post(ex_, [self = shared_from_this(), frame = std::move(frame)]() mutable {
        if (self->phase_ != phase::ready) return;
        if (auto sink = self->sink_.lock()) sink->send_binary(std::move(frame));
    });
}

void client_session::post_live_stats(const pr::live_stats& stats) {
    net::post(ex_, [self = shared_from_this(), stats] {
        if (self->phase_ == phase::ready) self->send(stats);
    });
}

void client_session::post_queued(const std::string& request_id, const pr::queued& q) {
    net::post(ex_, [self = shared_from_this(), request_id, q] {
        if (self->phase_ == phase::ready && self->gp_ == gp_state::waiting && self->request_id_ == request_id)
            self->apply_queued(q);
    });
}

void client_session::post_shutdown(std::string message, std::uint32_t retry_after_ms) {
    net::post(ex_, [self = shared_from_this(), message = std::move(message), retry_after_ms] {
        self->send(pr::shutdown_notice{message, retry_after_ms});
        if (auto sink = self->sink_.lock()) sink->close(close_going_away, "server shutting down");
    });
}

// Events from other sessions, the matcher or other nodes
// (peerline/protocol/node_messages.hpp). An event this role does not take is
// ignored: it may have been meant for an earlier session with the same id.
void client_session::on_event(const pc::session_event& ev) {
    const bool staff_role = role_ != pr::role::gp;
    std::visit(overloaded{
                   [&](const pc::offer_made& e) {
                       if (role_ == pr::role::listener) on_offer_event(e);
                   },
                   [&](const pc::offer_withdrawn& e) {
                       if (role_ == pr::role::listener) on_offer_withdrawn_event(e);
                   },
                   [&](const pc::conversation_start& e) { on_conv_start(e); },
                   [&](const pc::conversation_ack& e) { on_conv_ack(e); },
                   [&](const pc::conversation_end& e) { on_conv_end(e); },
                   [&](const pc::peer_detached& e) { on_peer_detached(e); },
                   [&](const pc::peer_moved& e) { on_peer_moved(e); },
                   [&](const pc::account_disabled& e) {
                       if (staff_role) on_account_disabled(e);
                   },
                   [&](const pc::rota_changed&) {
                       if (role_ == pr::role::listener) recheck_shift();
                   },
                   [&](const pc::escalation_raised& e) {
                       if (role_ == pr::role::admin) send(pr::escalation{e.listener, e.conversation_id});
                   },
               },
               ev);
}

// This node's administrator API disabled the account just now.
void client_session::on_account_disabled(const pc::account_disabled& ev) {
    if (ev.username != staff().username_) return;
    exec_then({"HGET", keys::account(staff().username_), "disabled"},
              [this](redis::value d) { close_if_account_disabled(d); });
}

void client_session::on_conv_start(const pc::conversation_start& ev) {
    const auto& cid = ev.conversation_id;
    route r{cid, ev.peer_sid, ev.peer_node, ev.peer_channel, {}, ev.listener};
    if (role_ != pr::role::gp || gp_ != gp_state::waiting) {
        svc_.routes->send_event(r.peer_node, r.peer_sid,
                                pc::conversation_end{cid, pr::end_reason::partner_disconnected,
                                                     pr::ended_by::server});
        return;
    }
    if (r.peer_node == svc_.node_id) r.local_peer = svc_.routes->find_local(r.peer_sid);
    gp_ = gp_state::in_conversation;
    stop_waiting();
    auto peer_node = r.peer_node, peer_sid = r.peer_sid;
    auto channel = open_channel(std::move(r));
    send(pr::conversation_started{channel, cid, pr::role::listener});
    svc_.routes->send_event(peer_node, peer_sid, pc::conversation_ack{cid, channel});
}

void client_session::on_conv_ack(const pc::conversation_ack& ev) {
    auto channel = channel_of(ev.conversation_id);
    route* r = find_channel(channel);
    if (r == nullptr) return;
    r->peer_channel = ev.channel;
    send(pr::conversation_started{channel, r->conversation_id, pr::role::gp});
    if (role_ == pr::role::listener) send_listener_state();
}

void client_session::on_conv_end(const pc::conversation_end& ev) {
    auto channel = channel_of(ev.conversation_id);
    if (channel == 0) return;
    close_channel(channel, ev.reason, ev.by);
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

std::uint16_t client_session::open_channel(route r) {
    // Channel numbers are per connection; skip any still in use.
    while (next_channel_ == 0 || find_channel(next_channel_)) ++next_channel_;
    auto channel = next_channel_++;
    channels_.emplace_back(channel, std::move(r));
    return channel;
}

client_session::route* client_session::find_channel(std::uint16_t channel) {
    for (auto& [number, r] : channels_)
        if (number == channel) return &r;
    return nullptr;
}

std::uint16_t client_session::channel_of(const std::string& conversation_id) const {
    for (auto& [channel, r] : channels_)
        if (r.conversation_id == conversation_id) return channel;
    return 0;
}

void client_session::close_channel(std::uint16_t channel, pr::end_reason reason, pr::ended_by by) {
    auto it = std::find_if(channels_.begin(), channels_.end(),
                           [channel](const auto& entry) { return entry.first == channel; });
    if (it == channels_.end()) return;
    auto listener = it->second.listener;
    channels_.erase(it);
    if (role_ == pr::role::gp) {
        gp_ = gp_state::idle;
        offer_continuity_code(channel, reason, by, std::move(listener));
        return;
    }
    send(pr::conversation_ended{channel, reason, by, std::nullopt});
    if (role_ == pr::role::listener)
        start_wrapup(now_ms() + std::chrono::milliseconds(svc_.cfg.wrapup).count());
}

void client_session::send(const pr::server_message& m) {
    if (auto sink = sink_.lock()) sink->send_text(std::make_shared<const std::string>(pr::encode(m)));
}

void client_session::send_error(ec code, std::string_view in_reply_to, std::string_view detail) {
    send(pr::error_message{pr::make_error(code, detail), std::string(in_reply_to)});
}

long long now_ms() { return clock::now_ms(); }

} // namespace peerline
