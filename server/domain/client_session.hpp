// One connected client (GP, listener or administrator): the protocol state
// machine behind a WebSocket. Decodes control frames, checks roles, talks to
// Redis through scripts, and relays binary frames to the conversation
// partner without reading them.
//
// The class is split by role into three files: client_session.cpp (the
// connection, hello, relay, conversations), client_session_gp.cpp (queue,
// signposting, continuity) and client_session_staff.cpp (availability,
// offers, wrap-up, shift limits, escalation, supervisors).
//
// Thread-safety: every member runs on the session's executor (the
// connection's single-threaded io_context). Other threads use post_event /
// post_frame / post_shutdown, which post onto it.
//
// Relay data path: on_binary -> channel table -> (same node: partner's
// post_frame | other node: router -> Redis pub/sub -> partner's node).
#pragma once

#include "domain/connection_sink.hpp"
#include "peerline/protocol/messages.hpp"
#include "peerline/protocol/node_messages.hpp"
#include "redis/script.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace peerline {

struct services;
namespace redis {
struct value;
}

// A steady_timer that exists only while it is in use: most sessions never arm
// most of their timers (a GP has no shift, a listener no queue position), and
// an idle connection should cost as little memory as possible. Same calls as
// the steady_timer it wraps; release() frees it (pending waits complete with
// operation_aborted).
class lazy_timer {
public:
    explicit lazy_timer(const boost::asio::any_io_executor& ex) : ex_(&ex) {}
    template <class Duration> void expires_after(const Duration& d) { get().expires_after(d); }
    template <class TimePoint> void expires_at(const TimePoint& t) { get().expires_at(t); }
    template <class Handler> void async_wait(Handler&& h) { get().async_wait(std::forward<Handler>(h)); }
    std::size_t cancel() { return timer_ ? timer_->cancel() : 0; }
    void release() { timer_.reset(); }

private:
    boost::asio::steady_timer& get() {
        if (!timer_) timer_ = std::make_unique<boost::asio::steady_timer>(*ex_);
        return *timer_;
    }
    const boost::asio::any_io_executor* ex_;
    std::unique_ptr<boost::asio::steady_timer> timer_;
};

class client_session : public std::enable_shared_from_this<client_session> {
public:
    client_session(services& svc, boost::asio::any_io_executor ex,
                   std::weak_ptr<connection_sink> sink);

    // --- from the connection (session executor) ---
    void on_open();
    void on_text(std::string_view frame);
    void on_binary(std::string_view frame);
    void on_closed();

    // --- from anywhere ---
    void post_event(protocol::cluster::session_event event);
    void post_frame(std::shared_ptr<const std::string> frame);
    void post_shutdown(std::string message, std::uint32_t retry_after_ms);
    void post_live_stats(const protocol::live_stats& stats);
    // This GP's request `request_id` stands at `q` (from queue_positions).
    void post_queued(const std::string& request_id, const protocol::queued& q);

    const boost::asio::any_io_executor& get_executor() const noexcept { return ex_; }

    // In a conversation (relay frames expected): the connection keeps its
    // read buffer between messages. Session executor.
    bool relaying() const noexcept { return !channels_.empty(); }

private:
    enum class phase { awaiting_hello, authenticating, ready, closed };
    enum class gp_state { idle, requesting, waiting, in_conversation };

    // One open conversation, seen from this side.
    struct route {
        std::string conversation_id;
        std::string peer_sid;
        std::string peer_node;
        std::uint16_t peer_channel = 0; // 0 until the partner has confirmed
        std::weak_ptr<client_session> local_peer; // set when the partner is on this node
        std::string listener;                     // the listener's username (GP side)
    };

    // --- client_session.cpp: connection, hello, relay, conversations ---
    void handle(const protocol::client_message& m);
    void on_hello(const protocol::hello& m);
    void on_ready();
    void on_end_conversation(const protocol::end_conversation& m);
    void on_event(const protocol::cluster::session_event& ev);
    void on_conv_start(const protocol::cluster::conversation_start& ev);
    void on_conv_ack(const protocol::cluster::conversation_ack& ev);
    void on_conv_end(const protocol::cluster::conversation_end& ev);
    void on_account_disabled(const protocol::cluster::account_disabled& ev);
    void end_everything_on_disconnect();
    std::uint16_t open_channel(route r);
    route* find_channel(std::uint16_t channel);
    std::uint16_t channel_of(const std::string& conversation_id) const;
    void close_channel(std::uint16_t channel, protocol::end_reason reason, protocol::ended_by by);
    void send(const protocol::server_message& m);
    void send_error(protocol::error_code code, std::string_view in_reply_to,
                    std::string_view detail = {});
    void eval_then(const redis::script& s, std::vector<std::string> args,
                   std::function<void(redis::value)> then);
    void exec_then(std::vector<std::string> args, std::function<void(redis::value)> then);
    void start_heartbeat();
    void on_heartbeat();
    void close_if_account_disabled(const redis::value& disabled);

    // Resume (client_session_resume.cpp): a dropped connection keeps its
    // place and conversations for the grace period; the same token on any
    // node picks them up again.
    bool has_state() const;
    void detach();
    void resume_or_welcome();
    void restore(const redis::value& v);
    void on_peer_detached(const protocol::cluster::peer_detached& ev);
    void on_peer_moved(const protocol::cluster::peer_moved& ev);

    // --- client_session_gp.cpp ---
    void on_request_chat(const protocol::request_chat& m);
    void enqueue(const protocol::request_chat& m, std::string preferred_listener);
    void on_leave_queue();
    // Watches the request's position (node-wide refreshes, queue_positions)
    // and asks for it now (after a resume).
    void refresh_position();
    void apply_queued(const protocol::queued& q);
    // The request no longer waits here (matched, left, gone or disconnected).
    void stop_waiting();
    void on_max_wait();
    void signpost(protocol::signpost_reason reason);
    void offer_continuity_code(std::uint16_t channel, protocol::end_reason reason,
                               protocol::ended_by by, std::string listener);

    // --- client_session_staff.cpp ---
    void on_set_availability(const protocol::set_availability& m);
    void go_away(std::string reason);
    // ARGV of listener_set_state.lua for this session going `state`; the
    // stretch end only matters when going available.
    std::vector<std::string> listener_state_args(std::string state, long long stretch_end_ms);
    // The rota changed: off shift now means away now; a moved shift end moves the timer.
    void recheck_shift();
    void arm_shift_timer(std::chrono::sys_seconds until);
    void on_accept_offer(const protocol::accept_offer& m);
    void on_decline_offer(const protocol::decline_offer& m);
    void on_escalate(const protocol::escalate& m);
    void on_offer_event(const protocol::cluster::offer_made& ev);
    void on_offer_withdrawn_event(const protocol::cluster::offer_withdrawn& ev);
    void start_wrapup(long long until_ms);
    void send_listener_state();

    services& svc_;
    boost::asio::any_io_executor ex_;
    std::weak_ptr<connection_sink> sink_;
    lazy_timer hello_timer_;
    lazy_timer heartbeat_timer_;

    // The small fields side by side, so that none of them is padded to 8
    // bytes (one session per connection: see docs/PERFORMANCE.md).
    phase phase_ = phase::awaiting_hello;
    gp_state gp_ = gp_state::idle; // GP
    protocol::role role_ = protocol::role::gp;
    std::uint16_t next_channel_ = 1;

    std::string sid_; // random per login/anonymous session; never logged

    // GP
    std::string request_id_;
    std::optional<protocol::queued> last_queued_;
    lazy_timer max_wait_timer_;

    // Staff (listeners, supervisors, administrators) only: allocated on first
    // use, so a GP's session, most of the connections, carries none of it.
    struct staff_state {
        explicit staff_state(const boost::asio::any_io_executor& ex)
            : wrapup_timer_(ex), shift_timer_(ex) {}
        std::string username_;
        // Listener
        protocol::availability availability_ = protocol::availability::away;
        std::set<std::string> offers_;
        long long wrapup_until_ms_ = 0;
        lazy_timer wrapup_timer_;
        lazy_timer shift_timer_;
        // First available in this stretch of shifts (kept in Redis per
        // listener; this copy arms the --max-shift-hours timer).
        long long shift_started_ms_ = 0;
        unsigned capacity_ = 1; // concurrent conversations (from the account, 1..4)
    };
    staff_state& staff() {
        if (!staff_) staff_ = std::make_unique<staff_state>(ex_);
        return *staff_;
    }
    std::unique_ptr<staff_state> staff_;

    // At most a listener's capacity (1..4) entries: a short vector scanned
    // in place is faster on every relay frame than a hash table, and smaller.
    std::vector<std::pair<std::uint16_t, route>> channels_;
};

long long now_ms();

} // namespace peerline
