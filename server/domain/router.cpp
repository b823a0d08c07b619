#include "domain/router.hpp"

#include "core/log.hpp"
#include "domain/client_session.hpp"
#include "domain/keys.hpp"
#include "redis/client.hpp"

#include <boost/asio/post.hpp>

namespace peerline {

// Messages on a node channel start with one type byte:
//   'C' + JSON {"sid": ..., "ev": {...}}      a control event
//   'R' + sid (32 hex) + relay frame bytes     a relay frame
//   'B' + { sid (32 hex) + length (4 bytes, big-endian) + relay frame }...
//                                              relay frames sent together
// (a lone frame still goes out as 'R').
namespace {
constexpr std::size_t sid_chars = 32;
}

router::router(std::string node_id, std::shared_ptr<redis::client> commands,
               std::shared_ptr<redis::client> subscriber)
    : node_id_(std::move(node_id)), commands_(std::move(commands)),
      subscriber_(std::move(subscriber)) {}

void router::start(std::function<void()> on_rota_changed, std::function<void()> on_queue_changed) {
    on_rota_changed_ = std::move(on_rota_changed);
    on_queue_changed_ = std::move(on_queue_changed);
    queue_debounce_ = std::make_unique<boost::asio::steady_timer>(subscriber_->get_executor());
    subscriber_->subscribe(keys::node_channel(node_id_),
                           [this](const std::string&, std::string payload) {
                               on_node_message(std::move(payload));
                           });
    subscriber_->subscribe(keys::broadcast_channel,
                           [this](const std::string&, std::string payload) { on_broadcast(payload); });
}

void router::broadcast(nlohmann::json message) {
    commands_->publish(keys::broadcast_channel, message.dump());
}

void router::post_to_all(const nlohmann::json& event) {
    for_each_local([&](const std::shared_ptr<client_session>& s) { s->post_event(event); });
}

// Runs on the subscriber's executor.
void router::on_broadcast(const std::string& payload) {
    auto msg = nlohmann::json::parse(payload, nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) return;
    auto kind = msg.value("b", "");
    if (kind == "rota") {
        if (on_rota_changed_) on_rota_changed_();
    } else if (kind == "escalation") {
        post_to_all({{"e", "escalation"}, {"listener", msg.value("listener", "")}, {"cid", msg.value("cid", "")}});
    } else if (kind == "queue") {
        // Many queue changes in a burst cause one refresh per node.
        if (queue_refresh_pending_) return;
        queue_refresh_pending_ = true;
        queue_debounce_->expires_after(std::chrono::milliseconds(200));
        queue_debounce_->async_wait([this](boost::system::error_code ec) {
            queue_refresh_pending_ = false;
            if (!ec && on_queue_changed_) on_queue_changed_();
        });
    }
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

void router::send_event(const std::string& node, const std::string& sid, nlohmann::json event) {
    if (node == node_id_) {
        deliver_local_event(sid, std::move(event));
        return;
    }
    nlohmann::json envelope{{"sid", sid}, {"ev", std::move(event)}};
    auto message = "C" + envelope.dump();
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
    if (sid.size() != sid_chars) return;
    bool post_flush = false;
    {
        std::lock_guard lock(relay_mutex_);
        auto& q = relays_out_[node];
        if (q.empty() || q.back().frames == 0) q.push_back({std::string(1, 'B'), 0});
        auto& m = q.back();
        auto n = static_cast<std::uint32_t>(frame->size());
        m.payload += sid;
        for (int shift = 24; shift >= 0; shift -= 8)
            m.payload.push_back(static_cast<char>((n >> shift) & 0xFF));
        m.payload += *frame;
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
            if (m.frames == 1) {
                // 'R' + sid + frame: what a node without batches understands too.
                m.payload.erase(1 + sid_chars, 4);
                m.payload[0] = 'R';
            }
            commands_->publish(channel, std::move(m.payload));
        }
    }
}

void router::deliver_local_event(const std::string& sid, nlohmann::json event) {
    if (auto s = find_local(sid)) {
        s->post_event(std::move(event));
        return;
    }
    // The target is gone. A conversation start must not leave the other side
    // waiting: tell it the partner disconnected.
    if (event.value("e", "") == "conv_start") {
        nlohmann::json back{{"e", "conv_end"},
                            {"cid", event.value("cid", "")},
                            {"reason", "partner_disconnected"},
                            {"by", "server"}};
        send_event(event.value("peer_node", ""), event.value("peer_sid", ""), std::move(back));
    }
}

void router::on_node_message(std::string payload) {
    if (payload.empty()) return;
    if (payload[0] == 'R') {
        if (payload.size() <= 1 + sid_chars) return;
        std::string sid = payload.substr(1, sid_chars);
        if (auto s = find_local(sid)) {
            s->post_frame(std::make_shared<const std::string>(payload.substr(1 + sid_chars)));
        }
        return;
    }
    if (payload[0] == 'B') {
        std::size_t pos = 1;
        while (payload.size() - pos >= sid_chars + 4) {
            std::string_view sid(payload.data() + pos, sid_chars);
            pos += sid_chars;
            std::uint32_t n = 0;
            for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(payload[pos + i]);
            pos += 4;
            if (n > payload.size() - pos) {
                log::warn("node_message_malformed");
                return;
            }
            if (auto s = find_local(std::string(sid)))
                s->post_frame(std::make_shared<const std::string>(payload, pos, n));
            pos += n;
        }
        return;
    }
    if (payload[0] == 'C') {
        auto msg = nlohmann::json::parse(payload.begin() + 1, payload.end(), nullptr, false);
        if (msg.is_discarded() || !msg.is_object() || !msg.contains("sid") || !msg.contains("ev")) {
            log::warn("node_message_malformed");
            return;
        }
        deliver_local_event(msg["sid"].get<std::string>(), std::move(msg["ev"]));
    }
}

} // namespace peerline
