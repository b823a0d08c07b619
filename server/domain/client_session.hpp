// One connected client (GP, listener or administrator): the protocol state
// machine behind a WebSocket. Decodes control frames, checks roles, talks to
// Redis through scripts, and relays binary frames to the conversation
// partner without reading them.
//
// Thread-safety: every member runs on the session's executor (the
// connection's single-threaded io_context). Other threads use post_event /
// post_frame / post_shutdown, which post onto it.
//
// Relay data path: on_binary -> channel table -> (same node: partner's
// post_frame | other node: router -> Redis pub/sub -> partner's node).
#pragma once

#include "domain/connection_sink.hpp"
#include "redis/script.hpp"
#include "peerline/protocol/messages.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

namespace peerline {

struct services;
namespace redis {
struct value;
}

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
    void post_event(nlohmann::json event);
    void post_frame(std::shared_ptr<const std::string> frame);
    void post_shutdown(std::string message, std::uint32_t retry_after_ms);

    const boost::asio::any_io_executor& get_executor() const noexcept { return ex_; }

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
    };

    // Control messages
    void handle(const protocol::client_message& m);
    void on_hello(const protocol::hello& m);
    void on_request_chat(const protocol::request_chat& m);
    void on_leave_queue();
    void on_set_availability(const protocol::set_availability& m);
    void on_accept_offer(const protocol::accept_offer& m);
    void on_decline_offer(const protocol::decline_offer& m);
    void on_end_conversation(const protocol::end_conversation& m);

    // Internal events (see router)
    void on_event(const nlohmann::json& ev);
    void on_conv_start(const nlohmann::json& ev);
    void on_conv_ack(const nlohmann::json& ev);
    void on_conv_end(const nlohmann::json& ev);

    // Helpers
    void send(const protocol::server_message& m);
    void send_error(protocol::error_code code, std::string_view in_reply_to,
                    std::string_view detail = {});
    void redis_eval_then(const redis::script& s, std::vector<std::string> args,
                         std::function<void(redis::value)> then);
    std::uint16_t open_channel(route r);
    route* find_channel(std::uint16_t channel);
    std::uint16_t channel_of(const std::string& conversation_id) const;
    void close_channel(std::uint16_t channel, protocol::end_reason reason, protocol::ended_by by);
    void end_everything_on_disconnect();
    protocol::role role() const noexcept { return role_; }

    services& svc_;
    boost::asio::any_io_executor ex_;
    std::weak_ptr<connection_sink> sink_;
    boost::asio::steady_timer hello_timer_;

    phase phase_ = phase::awaiting_hello;
    protocol::role role_ = protocol::role::gp;
    std::string sid_;      // random per login/anonymous session; never logged
    std::string username_; // staff only

    // GP
    gp_state gp_ = gp_state::idle;
    std::string request_id_;
    // Listener
    protocol::availability availability_ = protocol::availability::away;
    std::set<std::string> offers_;

    std::unordered_map<std::uint16_t, route> channels_;
    std::uint16_t next_channel_ = 1;
};

} // namespace peerline
