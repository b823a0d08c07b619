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

#include "peerline/protocol/node_messages.hpp"

#include <boost/asio/steady_timer.hpp>

#include <functional>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
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

    void add(const std::string& sid, const std::shared_ptr<client_session>& s);
    // Removes sid only if it still maps to `s` (a resumed session may have replaced it).
    void remove(const std::string& sid, const client_session* s);
    std::shared_ptr<client_session> find_local(const std::string& sid) const;
    std::size_t local_count() const;

    // Delivers an event to session `sid` on `node`. If the target no longer
    // exists and the event is a conversation start, the sender named in it
    // gets a conversation_end back.
    void send_event(const std::string& node, const std::string& sid,
                    protocol::cluster::session_event event);
    // Posts `event` to every session on this node.
    void post_to_all(const protocol::cluster::session_event& event);

    // Sends a relay frame (channel already rewritten for the receiver) to a
    // session on another node. Frames for one node are gathered and go out
    // as one PUBLISH per turn of the Redis client's event loop; an event for
    // a node with frames waiting queues behind them, so nothing for a node
    // overtakes what was sent to it before.
    void send_relay_remote(const std::string& node, const std::string& sid,
                           const std::shared_ptr<const std::string>& frame);

    const std::string& node_id() const noexcept { return node_id_; }

    // Every local session (for shutdown notices).
    template <class F> void for_each_local(F&& f) const {
        std::vector<std::shared_ptr<client_session>> all;
        {
            std::lock_guard lock(mutex_);
            for (auto& [sid, weak] : sessions_)
                if (auto s = weak.lock()) all.push_back(std::move(s));
        }
        for (auto& s : all) f(s);
    }

private:
    void deliver_local_event(const std::string& sid, protocol::cluster::session_event event);
    void on_node_message(const std::string& payload);
    void on_broadcast(const std::string& payload);
    void flush_relays();

    std::string node_id_;
    protocol::cluster::node_limits limits_;
    std::shared_ptr<redis::client> commands_;
    std::shared_ptr<redis::client> subscriber_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::weak_ptr<client_session>> sessions_;
    std::function<void()> on_rota_changed_;
    std::function<void()> on_queue_changed_;
    std::unique_ptr<boost::asio::steady_timer> queue_debounce_;
    bool queue_refresh_pending_ = false; // subscriber executor only

    // Messages for other nodes waiting for the flush, in order: batches of
    // relay frames ('B', then per frame: sid, 4-byte length, frame) and the
    // events sent after them.
    struct outgoing_message {
        std::string payload;
        std::size_t frames = 0; // 0: an event
    };
    std::mutex relay_mutex_;
    std::unordered_map<std::string, std::vector<outgoing_message>> relays_out_;
    bool relay_flush_posted_ = false;
};

} // namespace peerline
