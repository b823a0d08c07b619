// One long-lived asynchronous Redis connection (hiredis driven by Asio).
//
// - Connects with its own timeout and reconnects with exponential back-off.
// - Health: a PING every health_interval; no answer within health_timeout
//   drops the connection (a hung Redis, or a half-open socket, is treated as
//   a dead one). Subscribed connections are pinged too (see on_health_tick):
//   a subscriber whose socket stopped delivering would otherwise drop every
//   message for this node while looking connected.
// - While disconnected, commands fail at once with an `unavailable` value:
//   callers answer `service_unavailable` and nothing is half-done.
// - Scripts run with EVALSHA; on NOSCRIPT the script is loaded and retried once.
// - Subscriber mode: subscribe() registers channels that are re-subscribed
//   after every reconnect. Use a separate client for pub/sub (Redis rule: a
//   subscribed connection cannot run other commands).
//
// Thread-safety: exec/eval/subscribe/stop may be called from any thread;
// they post to the client's executor. Callbacks run on the client's
// executor; use async_exec to get the result on your own executor.
#pragma once

#include "core/config.hpp"
#include "redis/script.hpp"
#include "redis/value.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisAsyncContext;

namespace peerline::redis {

class hiredis_asio;

struct client_config {
    redis_address address;
    std::string name = "redis"; // for logs
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds health_interval{1000};
    std::chrono::milliseconds health_timeout{3000};
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{5000};
    // A subscribed connection also PSUBSCRIBEs this pattern (no wildcards:
    // it matches only a channel of that name, which nobody publishes to) and
    // pings with it as the argument; see client::on_health_tick.
    std::string health_pattern = "peerline:subscriber-health";
    // Loaded (SCRIPT LOAD) first thing on every connection, before any other
    // command, so EVALSHA never meets NOSCRIPT in normal operation. (The
    // NOSCRIPT fallback reloads and retries, which puts that one call behind
    // commands sent after it: correct, but not in order.)
    std::vector<const script*> preload{};
};

class client : public std::enable_shared_from_this<client> {
public:
    using reply_callback = std::function<void(value)>;
    // `payload` points into hiredis's reply, valid only during the call (the
    // subscriber copies what it keeps: no copy of every message on the way in).
    using message_callback = std::function<void(const std::string& channel, std::string_view payload)>;
    using state_callback = std::function<void(bool connected)>;

    client(boost::asio::any_io_executor ex, client_config cfg);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    void start();
    // Drops the connection, fails pending commands as unavailable and stops
    // reconnecting.
    void stop();

    // True while connected and healthy. Any thread.
    bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }

    // Called on the client's executor whenever ready() changes.
    void on_state_change(state_callback cb);

    void exec(std::vector<std::string> args, reply_callback cb);
    void eval(const script& s, std::vector<std::string> keys, std::vector<std::string> args,
              reply_callback cb);
    void subscribe(std::string channel, message_callback cb);
    // Fire-and-forget PUBLISH (pub/sub is at-most-once anyway).
    void publish(std::string channel, std::string payload);

    // The same PUBLISH for a payload built in place: `buffer` holds
    // `room` free bytes (at least publish_room(channel)) and then the
    // payload. The command's header is written into the room, so the
    // payload reaches hiredis's output buffer with one copy (publish() makes
    // two: hiredis formats the command, then appends it). Client executor
    // only (the relay path hands its batches over there).
    static std::size_t publish_room(std::string_view channel) noexcept;
    void publish_in_place(std::string_view channel, std::string buffer, std::size_t room);

    const boost::asio::any_io_executor& get_executor() const noexcept { return ex_; }

    // Completion-token form of exec: the handler runs on its associated
    // executor (e.g. a session's). Signature: void(value).
    template <class CompletionToken>
    auto async_exec(std::vector<std::string> args, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(value)>(
            [this](auto handler, std::vector<std::string> a) {
                auto target = boost::asio::get_associated_executor(handler, ex_);
                auto h = std::make_shared<decltype(handler)>(std::move(handler));
                exec(std::move(a), [target, h](value v) mutable {
                    boost::asio::post(target, [h, v = std::move(v)]() mutable {
                        (*h)(std::move(v));
                    });
                });
            },
            token, std::move(args));
    }

    template <class CompletionToken>
    auto async_eval(const script& s, std::vector<std::string> keys,
                    std::vector<std::string> args, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(value)>(
            [this, &s](auto handler, std::vector<std::string> k, std::vector<std::string> a) {
                auto target = boost::asio::get_associated_executor(handler, ex_);
                auto h = std::make_shared<decltype(handler)>(std::move(handler));
                eval(s, std::move(k), std::move(a), [target, h](value v) mutable {
                    boost::asio::post(target, [h, v = std::move(v)]() mutable {
                        (*h)(std::move(v));
                    });
                });
            },
            token, std::move(keys), std::move(args));
    }

private:
    struct subscription {
        std::string channel;
        message_callback cb;
    };

    void do_connect();
    void on_connected(int status);
    void on_disconnected();
    void schedule_reconnect();
    void set_ready(bool r);
    // PINGs until Redis has finished loading its data, then set_ready(true).
    void confirm_ready();
    void drop_connection(const char* why);
    void send(const std::vector<std::string>& args, reply_callback cb);
    void send_subscribe(subscription& sub);
    void start_health_timer();
    void on_health_tick();
    void ping_subscribed();

    static void connect_trampoline(const redisAsyncContext* c, int status);
    static void disconnect_trampoline(const redisAsyncContext* c, int status);
    static void reply_trampoline(redisAsyncContext* c, void* reply, void* privdata);
    static void message_trampoline(redisAsyncContext* c, void* reply, void* privdata);
    static void pong_trampoline(redisAsyncContext* c, void* reply, void* privdata);

    boost::asio::any_io_executor ex_;
    client_config cfg_;
    redisAsyncContext* ctx_ = nullptr;
    std::shared_ptr<hiredis_asio> adapter_;
    bool connected_ = false;
    bool stopping_ = false;
    bool started_ = false;
    std::atomic<bool> ready_{false};
    std::chrono::milliseconds backoff_;
    boost::asio::steady_timer connect_timer_;
    boost::asio::steady_timer reconnect_timer_;
    boost::asio::steady_timer health_timer_;
    bool ping_outstanding_ = false;
    bool health_subscribed_ = false; // this connection has PSUBSCRIBEd cfg_.health_pattern
    std::chrono::steady_clock::time_point ping_sent_;
    std::map<std::string, subscription> subscriptions_; // node-stable addresses
    std::vector<state_callback> state_callbacks_;
};

} // namespace peerline::redis
