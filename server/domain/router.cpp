#include "domain/router.hpp"

#include "core/log.hpp"
#include "domain/client_session.hpp"
#include "domain/keys.hpp"
#include "redis/client.hpp"

#include <boost/asio/post.hpp>

namespace peerline {

namespace pc = protocol::cluster;

// Messages on a node channel and the broadcast channel: see
// peerline/protocol/node_messages.hpp (one file for every message between nodes).
namespace {
template <class... F> struct overloaded : F... {
    using F::operator()...;
};
template <class... F> overloaded(F...) -> overloaded<F...>;
} // namespace

router::router(std::string node_id, std::shared_ptr<redis::client> commands,
               std::shared_ptr<redis::client> subscriber, pc::node_limits limits)
    : node_id_(std::move(node_id)), limits_(limits), commands_(std::move(commands)),
      subscriber_(std::move(subscriber)) {}

void router::start(std::function<void()> on_rota_changed, std::function<void()> on_queue_changed) {
    on_rota_changed_ = std::move(on_rota_changed);
    on_queue_changed_ = std::move(on_queue_changed);
    queue_debounce_ = std::make_unique<boost::asio::steady_timer>(subscriber_->get_executor());
    subscriber_->subscribe(keys::node_channel(node_id_),
                           [this](const std::string&, std::string payload) { on_node_message(payload); });
    subscriber_->subscribe(keys::broadcast_channel,
                           [this](const std::string&, std::string payload) { on_broadcast(payload); });
}

void router::broadcast(const pc::broadcast& message) {
    commands_->publish(keys::broadcast_channel, pc::encode(message));
}

void router::post_to_all(const pc::session_event& event) {
    for_each_local([&](const std::shared_ptr<client_session>& s) { s->post_event(event); });
}

// Runs on the subscriber's executor.
void router::on_broadcast(const std::string& payload) {
    auto msg = pc::decode_broadcast(payload, limits_);
    if (!msg) {
        log::warn("broadcast_malformed", {{"error", std::string(protocol::to_string(msg.err->code))}});
        return;
    }
    std::visit(overloaded{
                   [this](const pc::rota_changed&) {
                       if (on_rota_changed_) on_rota_changed_();
                   },
                   [this](const pc::escalation_raised& e) { post_to_all(e); },
                   [this](const pc::queue_changed&) {
                       // Many queue changes in a burst cause one refresh per node.
                       if (queue_refresh_pending_) return;
                       queue_refresh_pending_ = true;
                       queue_debounce_->expires_after(std::chrono::milliseconds(200));
                       queue_debounce_->async_wait([this](boost::system::error_code ec) {
                           queue_refresh_pending_ = false;
                           if (!ec && on_queue_changed_) on_queue_changed_();
                       });
                   },
               },
               *msg.value);
}

void router::add(const std::string& sid, const std::shared_ptr<client_session>& s) {
    std::lock_guard lock(mutex_);
    sessions_[sid] = s;
}

void router::remove(const std::string& sid, const client_session* s) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(sid);
    if (it == sessions_.end()) return;
    auto current = it->second.lock();
    if (!current || current.get() == s) sessions_.erase(it);
}

std::shared_ptr<client_session> router::find_local(const std::string& sid) const {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(sid);
    return it == sessions_.end() ? nullptr : it->second.lock();
}

std::size_t router::local_count() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

void router::send_event(const std::string& node, const std::string& sid, pc::session_event event) {
    if (node == node_id_) {
        deliver_local_event(sid, std::move(event));
        return;
    }
    auto message = pc::encode_addressed_event(sid, event);
    {
        // Behind frames still waiting for the flush to that node, if any.
        std::lock_guard lock(relay_mutex_);
        auto it = relays_out_.find(node);
        if (it != relays_out_.end() && !it->second.empty()) {
            it->second.push_back({std::move(message), 0});
            return;
        }
    }
    commands_->publish(keys::node_channel(node), std::move(message));
}

void router::send_relay_remote(const std::string& node, const std::string& sid,
                               const std::shared_ptr<const std::string>& frame) {
    if (sid.size() != pc::session_id_bytes) return;
    bool post_flush = false;
    {
        std::lock_guard lock(relay_mutex_);
        auto& q = relays_out_[node];
        if (q.empty() || q.back().frames == 0) q.push_back({std::string(), 0});
        auto& m = q.back();
        pc::append_relay_frame(m.payload, sid, *frame);
        ++m.frames;
        if (!relay_flush_posted_) {
            relay_flush_posted_ = true;
            post_flush = true;
        }
    }
    if (post_flush) boost::asio::post(commands_->get_executor(), [this] { flush_relays(); });
}

// On the Redis client's executor, after the work queued before it: one
// PUBLISH per batch.
void router::flush_relays() {
    std::vector<std::pair<std::string, std::vector<outgoing_message>>> out;
    {
        std::lock_guard lock(relay_mutex_);
        relay_flush_posted_ = false;
        for (auto& [node, q] : relays_out_) {
            if (q.empty()) continue;
            out.emplace_back(node, std::move(q));
            q.clear();
        }
    }
    for (auto& [node, q] : out) {
        auto channel = keys::node_channel(node);
        for (auto& m : q) {
            if (m.frames == 1) pc::shorten_single_frame_batch(m.payload);
            commands_->publish(channel, std::move(m.payload));
        }
    }
}

void router::deliver_local_event(const std::string& sid, pc::session_event event) {
    if (auto s = find_local(sid)) {
        s->post_event(std::move(event));
        return;
    }
    // The target is gone. A conversation start must not leave the other side
    // waiting: tell it the partner disconnected.
    if (auto* start = std::get_if<pc::conversation_start>(&event)) {
        send_event(start->peer_node, start->peer_sid,
                   pc::conversation_end{start->conversation_id, protocol::end_reason::partner_disconnected,
                                        protocol::ended_by::server});
    }
}

// Runs on the subscriber's executor.
void router::on_node_message(const std::string& payload) {
    auto msg = pc::decode_node_message(payload, limits_);
    if (!msg) {
        log::warn("node_message_malformed", {{"error", std::string(protocol::to_string(msg.err->code))}});
        return;
    }
    std::visit(overloaded{
                   [this](pc::addressed_event& e) { deliver_local_event(e.sid, std::move(e.event)); },
                   [this](const pc::relay_batch& b) {
                       for (const auto& part : b.parts)
                           if (auto s = find_local(std::string(part.sid)))
                               s->post_frame(std::make_shared<const std::string>(part.frame));
                   },
               },
               *msg.value);
}

} // namespace peerline
