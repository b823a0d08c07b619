#include "domain/router.hpp"

#include "core/log.hpp"
#include "domain/client_session.hpp"
#include "domain/frame_pool.hpp"
#include "domain/keys.hpp"
#include "peerline/protocol/relay_frame.hpp"
#include "redis/client.hpp"

#include <boost/asio/dispatch.hpp>
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

namespace {
std::atomic<std::uint64_t> next_router_instance{1};
} // namespace

router::router(std::string node_id, std::shared_ptr<redis::client> commands,
               std::shared_ptr<redis::client> subscriber, pc::node_limits limits)
    : node_id_(std::move(node_id)), limits_(limits), commands_(std::move(commands)),
      subscriber_(std::move(subscriber)), instance_(next_router_instance.fetch_add(1)) {}

void router::start(std::function<void()> on_rota_changed, std::function<void()> on_queue_changed) {
    on_rota_changed_ = std::move(on_rota_changed);
    on_queue_changed_ = std::move(on_queue_changed);
    queue_debounce_ = std::make_unique<boost::asio::steady_timer>(subscriber_->get_executor());
    subscriber_->subscribe(keys::node_channel(node_id_),
                           [this](const std::string&, std::string_view payload) { on_node_message(payload); });
    subscriber_->subscribe(keys::broadcast_channel,
                           [this](const std::string&, std::string_view payload) { on_broadcast(payload); });
}

void router::broadcast(const pc::broadcast& message) {
    commands_->publish(keys::broadcast_channel, pc::encode(message));
}

void router::post_to_all(const pc::session_event& event) {
    for_each_local([&](const std::shared_ptr<client_session>& s) { s->post_event(event); });
}

// Runs on the subscriber's executor.
void router::on_broadcast(std::string_view payload) {
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

void router::send_event(const std::string& node, const std::string& sid, pc::session_event event) {
    if (node == node_id_) {
        deliver_local_event(sid, std::move(event));
        return;
    }
    auto message = pc::encode_addressed_event(sid, event);
    // Behind frames this thread still holds for that node, if any.
    if (auto* box = existing_outbox_of_this_thread()) {
        if (auto* n = box->find(node); n != nullptr && !n->messages.empty()) {
            n->messages.push_back({std::move(message), 0, false});
            return;
        }
    }
    commands_->publish(keys::node_channel(node), std::move(message));
}

// The outboxes of the routers this thread has relayed for (one in a
// server; tests may run several routers in one process). An outbox of a
// router that is gone stays until the thread ends: a few bytes.
namespace {
struct thread_outboxes {
    std::vector<std::pair<std::uint64_t, std::unique_ptr<node_outbox>>> boxes;
};
thread_local thread_outboxes outboxes_of_this_thread;
} // namespace

node_outbox* router::existing_outbox_of_this_thread() {
    for (auto& [instance, box] : outboxes_of_this_thread.boxes)
        if (instance == instance_) return box.get();
    return nullptr;
}

node_outbox& router::outbox_of_this_thread() {
    if (auto* box = existing_outbox_of_this_thread()) return *box;
    auto& boxes = outboxes_of_this_thread.boxes;
    boxes.emplace_back(instance_, std::make_unique<node_outbox>());
    return *boxes.back().second;
}

void router::send_relay_remote(const std::string& node, const std::string& sid, std::string_view frame,
                               std::uint16_t channel, const boost::asio::any_io_executor& here) {
    if (sid.size() != pc::session_id_bytes) return;
    auto& box = outbox_of_this_thread();
    auto* n = box.find(node);
    if (n == nullptr) {
        auto name = keys::node_channel(node);
        auto room = redis::client::publish_room(name);
        n = &box.nodes.emplace_back(node_outbox::for_node{node, std::move(name), room, {}});
    }
    if (n->messages.empty() || !n->messages.back().relay) {
        node_outbox::message m{std::string(), n->room, true};
        // Room, 'B', sid, length, the frame and the command's "\r\n": a
        // batch of one (the usual case) is never reallocated.
        m.bytes.reserve(n->room + 1 + pc::session_id_bytes + 4 + frame.size() + 2);
        n->messages.push_back(std::move(m));
    }
    auto& batch = n->messages.back().bytes;
    // The one copy of the frame on this node, and the receiver's channel
    // written into it in place.
    auto at = pc::append_relay_frame(batch, sid, frame, n->room);
    protocol::rewrite_relay_channel(reinterpret_cast<std::uint8_t*>(batch.data() + at), channel);
    if (!box.hand_over_posted) {
        box.hand_over_posted = true;
        // Runs after what this loop turn has already queued: the frames
        // read meanwhile join the same batch.
        boost::asio::post(here, [this, &box] { hand_over(box); });
    }
}

// On the outbox's thread.
void router::hand_over(node_outbox& box) {
    box.hand_over_posted = false;
    std::vector<std::pair<std::string, std::vector<node_outbox::message>>> out;
    for (auto& n : box.nodes) {
        if (n.messages.empty()) continue;
        out.emplace_back(n.channel, std::move(n.messages));
        n.messages.clear();
    }
    if (out.empty()) return;
    // dispatch, not post: on the Redis client's own thread (one I/O thread)
    // this publishes at once, so an event sent after this turn cannot pass
    // the frames; from another thread it is queued before anything this
    // thread publishes later.
    boost::asio::dispatch(commands_->get_executor(), [this, out = std::move(out)]() mutable {
        for (auto& [channel, messages] : out)
            for (auto& m : messages) {
                if (m.relay)
                    commands_->publish_in_place(channel, std::move(m.bytes), m.room);
                else
                    commands_->publish(channel, std::move(m.bytes));
            }
    });
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

// Runs on the subscriber's executor. Relay frames are views into the
// message (hiredis's reply); each is copied once, into a recycled buffer
// the receiving connection's write queue holds.
void router::on_node_message(std::string_view payload) {
    auto msg = pc::decode_node_message(payload, limits_);
    if (!msg) {
        log::warn("node_message_malformed", {{"error", std::string(protocol::to_string(msg.err->code))}});
        return;
    }
    std::visit(overloaded{
                   [this](pc::addressed_event& e) { deliver_local_event(e.sid, std::move(e.event)); },
                   [this](const pc::relay_batch& b) {
                       // Consecutive frames for one session: one lookup (one
                       // shard lock) for all of them.
                       std::string sid;
                       std::shared_ptr<client_session> target;
                       for (const auto& part : b.parts) {
                           if (sid != part.sid) {
                               sid.assign(part.sid);
                               target = find_local(sid);
                           }
                           if (target) target->post_frame(frame_pool::copy(part.frame));
                       }
                   },
               },
               *msg.value);
}

} // namespace peerline
