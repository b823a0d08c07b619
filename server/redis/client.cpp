#include "redis/client.hpp"

#include "core/log.hpp"
#include "redis/hiredis_asio.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/dispatch.hpp>

#include <charconv>
#include <cstring>

namespace peerline::redis {

namespace net = boost::asio;

namespace {
// What hiredis carries for one command: the callback and, for scripts, what
// is needed to retry after NOSCRIPT.
struct pending_command {
    client::reply_callback cb;
};
} // namespace

client::client(net::any_io_executor ex, client_config cfg)
    : ex_(std::move(ex)), cfg_(std::move(cfg)), backoff_(cfg_.reconnect_min), connect_timer_(ex_),
      reconnect_timer_(ex_), health_timer_(ex_) {}

client::~client() {
    // stop() must have run on the executor; this is a last resort.
    if (ctx_) {
        redisAsyncContext* c = ctx_;
        ctx_ = nullptr;
        c->data = nullptr;
        redisAsyncFree(c);
    }
}

void client::start() {
    net::dispatch(ex_, [self = shared_from_this()] {
        if (self->started_) return;
        self->started_ = true;
        self->do_connect();
        self->start_health_timer();
    });
}

void client::stop() {
    net::dispatch(ex_, [self = shared_from_this()] {
        self->stopping_ = true;
        self->connect_timer_.cancel();
        self->reconnect_timer_.cancel();
        self->health_timer_.cancel();
        self->drop_connection("stopping");
        self->state_callbacks_.clear();
    });
}

void client::on_state_change(state_callback cb) {
    net::dispatch(ex_, [self = shared_from_this(), cb = std::move(cb)]() mutable {
        self->state_callbacks_.push_back(std::move(cb));
    });
}

void client::set_ready(bool r) {
    if (ready_.exchange(r) == r) return;
    log::info(r ? "redis_connected" : "redis_disconnected",
              {{"connection", cfg_.name}, {"address", cfg_.address.to_string()}});
    for (auto& cb : state_callbacks_) cb(r);
}

// ---------------------------------------------------------------------------
// Connection life cycle
// ---------------------------------------------------------------------------

void client::do_connect() {
    if (stopping_ || ctx_) return;
    redisAsyncContext* c = cfg_.address.unix_path.empty()
                               ? redisAsyncConnect(cfg_.address.host.c_str(), cfg_.address.port)
                               : redisAsyncConnectUnix(cfg_.address.unix_path.c_str());
    if (c == nullptr || c->err) {
        log::debug("redis_connect_failed",
                   {{"connection", cfg_.name}, {"error", c ? c->errstr : "out of memory"}});
        if (c) redisAsyncFree(c);
        schedule_reconnect();
        return;
    }
    ctx_ = c;
    c->data = this;
    adapter_ = hiredis_asio::attach(c, ex_);
    redisAsyncSetConnectCallback(c, &client::connect_trampoline);
    redisAsyncSetDisconnectCallback(c, &client::disconnect_trampoline);

    connect_timer_.expires_after(cfg_.connect_timeout);
    connect_timer_.async_wait([weak = weak_from_this(), c](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->ctx_ != c || self->connected_) return;
        log::warn("redis_connect_timeout", {{"connection", self->cfg_.name}});
        self->drop_connection("connect timeout");
    });
}

void client::connect_trampoline(const redisAsyncContext* c, int status) {
    if (auto* self = static_cast<client*>(c->data)) self->on_connected(status);
}

void client::on_connected(int status) {
    connect_timer_.cancel();
    if (status != REDIS_OK) {
        // hiredis frees the context itself after a failed connect.
        log::debug("redis_connect_failed", {{"connection", cfg_.name}});
        ctx_ = nullptr;
        adapter_.reset();
        schedule_reconnect();
        return;
    }
    connected_ = true;
    backoff_ = cfg_.reconnect_min;
    ping_outstanding_ = false;
    health_subscribed_ = false;
    for (const script* s : cfg_.preload) {
        send({"SCRIPT", "LOAD", std::string(s->source)}, [name = s->name](value v) {
            if (v.is_error()) log::error("redis_script_load_failed", {{"script", name}, {"error", v.str}});
        });
    }
    for (auto& [name, sub] : subscriptions_) send_subscribe(sub);
    // A subscribed connection is ready once its SUBSCRIBEs are sent (its
    // health is checked from the next tick on). Any other is ready when Redis answers commands: right
    // after a restart Redis accepts connections while it is still loading
    // its append-only file and answers everything with LOADING meanwhile.
    if (!subscriptions_.empty()) return set_ready(true);
    confirm_ready();
}

void client::confirm_ready() {
    send({"PING"}, [weak = weak_from_this()](value v) {
        auto self = weak.lock();
        if (!self || !self->connected_) return;
        if (v.is_loading()) {
            self->connect_timer_.expires_after(std::chrono::milliseconds(100));
            self->connect_timer_.async_wait([weak](boost::system::error_code ec) {
                if (auto me = weak.lock(); me && !ec && me->connected_) me->confirm_ready();
            });
            return;
        }
        if (v.is_unavailable()) return; // the connection went: reconnecting takes over
        self->set_ready(true);
    });
}

void client::disconnect_trampoline(const redisAsyncContext* c, int) {
    if (auto* self = static_cast<client*>(c->data)) self->on_disconnected();
}

void client::on_disconnected() {
    // hiredis has already failed every pending callback with a NULL reply
    // and frees the context after we return.
    ctx_ = nullptr;
    adapter_.reset();
    connected_ = false;
    set_ready(false);
    schedule_reconnect();
}

void client::drop_connection(const char* why) {
    if (!ctx_) {
        set_ready(false);
        return;
    }
    log::debug("redis_drop_connection", {{"connection", cfg_.name}, {"reason", why}});
    redisAsyncContext* c = ctx_;
    bool was_connected = connected_;
    // Free now: pending callbacks get NULL replies; if it was connected the
    // disconnect callback runs (and schedules the reconnect).
    redisAsyncFree(c);
    if (!was_connected) {
        ctx_ = nullptr;
        adapter_.reset();
        schedule_reconnect();
    }
    set_ready(false);
}

void client::schedule_reconnect() {
    if (stopping_) return;
    auto wait = backoff_;
    backoff_ = std::min(backoff_ * 2, cfg_.reconnect_max);
    reconnect_timer_.expires_after(wait);
    reconnect_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->do_connect();
    });
}

// ---------------------------------------------------------------------------
// Health
// ---------------------------------------------------------------------------

void client::start_health_timer() {
    if (stopping_) return;
    health_timer_.expires_after(cfg_.health_interval);
    health_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) {
            self->on_health_tick();
            self->start_health_timer();
        }
    });
}

void client::on_health_tick() {
    if (!connected_) return;
    auto now = std::chrono::steady_clock::now();
    if (ping_outstanding_) {
        if (now - ping_sent_ > cfg_.health_timeout) {
            log::warn("redis_health_timeout", {{"connection", cfg_.name}});
            ping_outstanding_ = false;
            drop_connection("health check timed out");
        }
        return;
    }
    ping_outstanding_ = true;
    ping_sent_ = now;
    if (health_subscribed_) return ping_subscribed();
    send({"PING"}, [weak = weak_from_this()](value v) {
        auto self = weak.lock();
        if (!self) return;
        self->ping_outstanding_ = false;
        // LOADING: Redis is up and still reading its data (confirm_ready
        // waits for it); the connection itself is fine.
        if (v.failed() && !v.is_unavailable() && !v.is_loading())
            self->drop_connection("health check failed");
    });
}

// A subscribed connection answers PING <arg> with the array ["pong", <arg>]
// (RESP2). hiredis 0.14 cannot give that reply to a command callback: once
// the context is subscribed it files other commands' callbacks where no
// reply ever reaches them (one would pile up per ping), and it routes every
// array reply by its first two elements, taking a first element that starts
// with 'p' ("pong") as a pattern subscription's. So the connection
// PSUBSCRIBEs cfg_.health_pattern (send_subscribe), and the PING goes
// straight into the context's output buffer without a callback: its reply
// reaches pong_trampoline through that pattern's entry. Nothing is left
// behind per ping.
void client::ping_subscribed() {
    if (redisAppendCommand(&ctx_->c, "PING %b", cfg_.health_pattern.data(), cfg_.health_pattern.size()) !=
        REDIS_OK) {
        ping_outstanding_ = false;
        return drop_connection("health check could not be sent");
    }
    if (ctx_->ev.addWrite) ctx_->ev.addWrite(ctx_->ev.data); // as hiredis does after a command
}

void client::pong_trampoline(redisAsyncContext* c, void* reply, void*) {
    auto* r = static_cast<redisReply*>(reply);
    auto* self = static_cast<client*>(c->data);
    if (self == nullptr || r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements < 1) return;
    auto* kind = r->element[0];
    if (kind->type == REDIS_REPLY_STRING && std::string_view(kind->str, kind->len) == "pong")
        self->ping_outstanding_ = false;
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

void client::exec(std::vector<std::string> args, reply_callback cb) {
    net::dispatch(ex_, [self = shared_from_this(), args = std::move(args),
                        cb = std::move(cb)]() mutable { self->send(args, std::move(cb)); });
}

void client::send(const std::vector<std::string>& args, reply_callback cb) {
    if (!connected_ || !ctx_) {
        cb(value::make_unavailable("redis is not connected"));
        return;
    }
    std::vector<const char*> argv;
    std::vector<std::size_t> argvlen;
    argv.reserve(args.size());
    argvlen.reserve(args.size());
    for (auto& a : args) {
        argv.push_back(a.data());
        argvlen.push_back(a.size());
    }
    auto* pending = new pending_command{std::move(cb)};
    if (redisAsyncCommandArgv(ctx_, &client::reply_trampoline, pending,
                              static_cast<int>(args.size()), argv.data(),
                              argvlen.data()) != REDIS_OK) {
        auto failed = std::move(pending->cb);
        delete pending;
        failed(value::make_unavailable("redis refused the command"));
    }
}

void client::reply_trampoline(redisAsyncContext*, void* reply, void* privdata) {
    std::unique_ptr<pending_command> pending(static_cast<pending_command*>(privdata));
    pending->cb(value::from_reply(static_cast<redisReply*>(reply)));
}

void client::eval(const script& s, std::vector<std::string> keys, std::vector<std::string> args,
                  reply_callback cb) {
    std::vector<std::string> cmd;
    cmd.reserve(3 + keys.size() + args.size());
    cmd.push_back("EVALSHA");
    cmd.push_back(s.sha1);
    cmd.push_back(std::to_string(keys.size()));
    for (auto& k : keys) cmd.push_back(std::move(k));
    for (auto& a : args) cmd.push_back(std::move(a));
    net::dispatch(ex_, [self = shared_from_this(), &s, cmd = std::move(cmd),
                        cb = std::move(cb)]() mutable {
        auto retry_cmd = cmd;
        self->send(cmd, [self, &s, retry_cmd = std::move(retry_cmd),
                         cb = std::move(cb)](value v) mutable {
            if (!(v.is_error() && v.str.rfind("NOSCRIPT", 0) == 0)) {
                cb(std::move(v));
                return;
            }
            log::debug("redis_script_load", {{"script", s.name}});
            self->send({"SCRIPT", "LOAD", std::string(s.source)},
                       [self, retry_cmd = std::move(retry_cmd), cb = std::move(cb)](value loaded) mutable {
                           if (loaded.failed()) {
                               cb(std::move(loaded));
                               return;
                           }
                           self->send(retry_cmd, std::move(cb));
                       });
        });
    });
}

// ---------------------------------------------------------------------------
// Pub/sub
// ---------------------------------------------------------------------------

void client::subscribe(std::string channel, message_callback cb) {
    net::dispatch(ex_, [self = shared_from_this(), channel = std::move(channel),
                        cb = std::move(cb)]() mutable {
        auto [it, inserted] = self->subscriptions_.try_emplace(channel, subscription{channel, std::move(cb)});
        if (inserted && self->connected_) self->send_subscribe(it->second);
    });
}

void client::send_subscribe(subscription& sub) {
    const char* argv[] = {"SUBSCRIBE", sub.channel.c_str()};
    const std::size_t argvlen[] = {9, sub.channel.size()};
    redisAsyncCommandArgv(ctx_, &client::message_trampoline, &sub, 2, argv, argvlen);
    if (health_subscribed_) return;
    // Where the replies to this connection's health PINGs arrive (on_health_tick).
    const char* pargv[] = {"PSUBSCRIBE", cfg_.health_pattern.c_str()};
    const std::size_t pargvlen[] = {10, cfg_.health_pattern.size()};
    if (redisAsyncCommandArgv(ctx_, &client::pong_trampoline, nullptr, 2, pargv, pargvlen) == REDIS_OK)
        health_subscribed_ = true;
}

void client::message_trampoline(redisAsyncContext*, void* reply, void* privdata) {
    auto* r = static_cast<redisReply*>(reply);
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
    auto* kind = r->element[0];
    if (kind->type != REDIS_REPLY_STRING || std::string_view(kind->str, kind->len) != "message")
        return;
    auto* sub = static_cast<subscription*>(privdata);
    sub->cb(sub->channel, std::string_view(r->element[2]->str, r->element[2]->len));
}

void client::publish(std::string channel, std::string payload) {
    exec({"PUBLISH", std::move(channel), std::move(payload)}, [](value) {});
}

namespace {
// RESP for PUBLISH up to the payload's bytes:
//   *3\r\n$7\r\nPUBLISH\r\n$<channel length>\r\n<channel>\r\n$<payload length>\r\n
constexpr std::string_view publish_head = "*3\r\n$7\r\nPUBLISH\r\n$";
constexpr std::size_t max_digits = 20; // a std::size_t in decimal
} // namespace

std::size_t client::publish_room(std::string_view channel) noexcept {
    return publish_head.size() + max_digits + 2 + channel.size() + 2 + 1 + max_digits + 2;
}

void client::publish_in_place(std::string_view channel, std::string buffer, std::size_t room) {
    if (room < publish_room(channel) || buffer.size() < room) return; // a caller's bug: nothing sent
    if (!connected_ || !ctx_) return;                                // at-most-once, like publish()
    // The header, written right before the payload (no allocation: the
    // numbers go through a small array).
    char channel_len[max_digits];
    char payload_len[max_digits];
    auto cl = std::to_chars(channel_len, channel_len + max_digits, channel.size()).ptr - channel_len;
    auto pl = std::to_chars(payload_len, payload_len + max_digits, buffer.size() - room).ptr - payload_len;
    auto head_bytes = publish_head.size() + static_cast<std::size_t>(cl) + 2 + channel.size() + 3 +
                      static_cast<std::size_t>(pl) + 2;
    auto start = room - head_bytes;
    char* out = buffer.data() + start;
    auto put = [&out](std::string_view piece) {
        std::memcpy(out, piece.data(), piece.size());
        out += piece.size();
    };
    put(publish_head);
    put({channel_len, static_cast<std::size_t>(cl)});
    put("\r\n");
    put(channel);
    put("\r\n$");
    put({payload_len, static_cast<std::size_t>(pl)});
    put("\r\n");
    buffer += "\r\n";
    // No callback: the reply (the number of receivers) is read and dropped.
    // hiredis copies the command into its output buffer before returning.
    redisAsyncFormattedCommand(ctx_, nullptr, nullptr, buffer.data() + start, buffer.size() - start);
}

} // namespace peerline::redis
