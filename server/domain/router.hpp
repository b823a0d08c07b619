// Routes events and relay frames to client sessions, wherever they are.
//
// Same node: the session is found in this node's registry and the work is
// posted to its executor. Other node: the message is PUBLISHed on that
// node's channel (pl:node:<id>) and that node's router delivers it. Nothing
// is stored; pub/sub is at-most-once, and a conversation whose partner is
// unreachable is ended (see client_session).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include "domain/node_outbox.hpp"
#include "domain/session_registry.hpp"
#include "peerline/protocol/node_messages.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace peerline {

namespace redis {
class client;
}
class client_session;

class router {
public:
    // `limits`: what a message from another node may hold (its relay frames
    // at most this node's --max-relay-frame).
    router(std::string node_id, std::shared_ptr<redis::client> commands,
           std::shared_ptr<redis::client> subscriber, protocol::cluster::node_limits limits);

    // Subscribes to this node's channel and the broadcast channel.
    // `on_rota_changed` runs (on the Redis executor) when any node changed
    // the rota; `on_queue_changed` when any node changed the queue (at most
    // once per 200 ms however many changes came in).
    void start(std::function<void()> on_rota_changed, std::function<void()> on_queue_changed);

    // Sends a message to every node (this one too). queue_changed makes each
    // node refresh its waiting GPs' positions (coalesced); escalation_raised
    // reaches every connected administrator.
    void broadcast(const protocol::cluster::broadcast& message);

    void add(const std::string& sid, const std::shared_ptr<client_session>& s) { sessions_.add(sid, s); }
    // Removes sid only if it still maps to `s` (a resumed session may have replaced it).
    void remove(const std::string& sid, const client_session* s) { sessions_.remove(sid, s); }
    std::shared_ptr<client_session> find_local(const std::string& sid) const { return sessions_.find(sid); }
    std::size_t local_count() const { return sessions_.size(); }

    // Delivers an event to session `sid` on `node`. If the target no longer
    // exists and the event is a conversation start, the sender named in it
    // gets a conversation_end back.
    void send_event(const std::string& node, const std::string& sid,
                    protocol::cluster::session_event event);
    // Posts `event` to every session on this node.
    void post_to_all(const protocol::cluster::session_event& event);

    // Sends a relay frame to session `sid` on another node, its channel
    // rewritten to `channel` (the receiver's). Called on the sending
    // session's thread, `here` being its executor. The frame is copied once,
    // straight from the connection's read buffer into this thread's batch
    // for that node (node_outbox; no lock), and the batches go out as one
    // PUBLISH per node per turn of the thread's loop; an event for a node
    // with frames waiting queues behind them, so nothing for a node
    // overtakes what was sent to it before.
    void send_relay_remote(const std::string& node, const std::string& sid, std::string_view frame,
                           std::uint16_t channel, const boost::asio::any_io_executor& here);

    const std::string& node_id() const noexcept { return node_id_; }

    // Every local session (for shutdown notices).
    template <class F> void for_each_local(F&& f) const {
        for (auto& s : sessions_.all()) f(s);
    }

private:
    void deliver_local_event(const std::string& sid, protocol::cluster::session_event event);
    void on_node_message(std::string_view payload);
    void on_broadcast(std::string_view payload);
    // This thread's outbox (created on first use).
    node_outbox& outbox_of_this_thread();
    node_outbox* existing_outbox_of_this_thread();
    // On the outbox's own thread, once per turn: moves its messages to the
    // Redis executor, where they are PUBLISHed in order.
    void hand_over(node_outbox& box);

    std::string node_id_;
    protocol::cluster::node_limits limits_;
    std::shared_ptr<redis::client> commands_;
    std::shared_ptr<redis::client> subscriber_;
    session_registry<client_session> sessions_;
    std::function<void()> on_rota_changed_;
    std::function<void()> on_queue_changed_;
    std::unique_ptr<boost::asio::steady_timer> queue_debounce_;
    bool queue_refresh_pending_ = false; // subscriber executor only
    // Tells this router's outboxes from another router's on the same thread
    // (tests run several in one process); never reused.
    std::uint64_t instance_;
};

} // namespace peerline
