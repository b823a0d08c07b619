// One keep-alive timer per I/O thread for every WebSocket session on it:
// pings connections that went quiet and drops those that stay silent.
// Thread-safety: a keepalive_service belongs to one io_context (one thread);
// its members are linked, pinged and unlinked on that thread only.
#pragma once

#include "net/beast.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

namespace peerline {

// Keep-alive for all the WebSocket sessions of one io_context (one thread):
// one timer for all of them instead of Beast's per-stream idle timer, whose
// pending wait every idle connection would carry (a few hundred bytes) and
// which Beast cancels and re-arms at every message read. Same rule as Beast's
// keep_alive_pings: a connection silent for half the idle timeout is pinged
// (Beast's own async_ping), one still silent after the whole timeout is
// closed. The timer ticks every quarter of the timeout, so the ping goes out
// after 1/2 to 3/4 of the timeout of silence and the close comes after 1 to
// 1 1/4 of it. Anything read counts as activity (messages, and control frames
// through Beast's control callback: pongs, pings, close).
class keepalive_service;

class keepalive_member {
public:
    // Called on a tick, on the session's thread; must not unlink this member.
    virtual void keepalive_ping() = 0;
    virtual void keepalive_expired() = 0;

protected:
    virtual ~keepalive_member() = default;
    void keepalive_start(const net::any_io_executor& ex, std::chrono::steady_clock::duration idle);
    void keepalive_seen() noexcept;
    void keepalive_stop() noexcept;

private:
    friend class keepalive_service;
    keepalive_service* ka_ = nullptr; // set while linked
    keepalive_member* ka_prev_ = nullptr;
    keepalive_member* ka_next_ = nullptr;
    std::uint32_t ka_seen_ = 0; // tick of the last activity
    bool ka_pinged_ = false;    // pinged since then

protected:
    bool ping_in_flight_ = false; // the session's own: at most one async_ping at a time
};

class keepalive_service : public net::execution_context::service {
public:
    using key_type = keepalive_service;
    static inline net::execution_context::id id;

    explicit keepalive_service(net::execution_context& ctx) : service(ctx) {}

    void add(keepalive_member& m, const net::any_io_executor& ex,
             std::chrono::steady_clock::duration idle) {
        m.ka_ = this;
        m.ka_seen_ = tick_;
        m.ka_pinged_ = false;
        m.ka_prev_ = nullptr;
        m.ka_next_ = head_;
        if (head_) head_->ka_prev_ = &m;
        head_ = &m;
        if (!timer_) timer_.emplace(ex);
        period_ = std::max<std::chrono::steady_clock::duration>(idle / ticks_per_timeout,
                                                                std::chrono::milliseconds(10));
        if (!armed_) arm();
    }

    void remove(keepalive_member& m) noexcept {
        if (m.ka_prev_) m.ka_prev_->ka_next_ = m.ka_next_;
        else head_ = m.ka_next_;
        if (m.ka_next_) m.ka_next_->ka_prev_ = m.ka_prev_;
        if (next_ == &m) next_ = m.ka_next_;
        m.ka_ = nullptr;
        m.ka_prev_ = m.ka_next_ = nullptr;
    }

    std::uint32_t tick() const noexcept { return tick_; }

private:
    static constexpr std::uint32_t ticks_per_timeout = 4;

    void shutdown() override {
        // Sessions may outlive this service's timer (their pending operations
        // are destroyed after this): unlink them all.
        while (head_) remove(*head_);
        timer_.reset();
    }

    void arm() {
        armed_ = true;
        timer_->expires_after(period_);
        timer_->async_wait([this](beast::error_code ec) {
            armed_ = false;
            if (ec) return;
            on_tick();
            if (head_) arm();
        });
    }

    void on_tick() {
        ++tick_;
        for (auto* m = head_; m; m = next_) {
            next_ = m->ka_next_; // the callbacks may not unlink m, but be safe
            std::uint32_t silent = tick_ - m->ka_seen_;
            if (m->ka_pinged_) {
                if (silent >= ticks_per_timeout) m->keepalive_expired();
            } else if (silent >= ticks_per_timeout / 2) {
                m->ka_pinged_ = true;
                m->keepalive_ping();
            }
        }
        next_ = nullptr;
    }

    std::optional<net::steady_timer> timer_;
    std::chrono::steady_clock::duration period_{};
    keepalive_member* head_ = nullptr;
    keepalive_member* next_ = nullptr; // the walk's next member (see remove)
    std::uint32_t tick_ = 0;
    bool armed_ = false;
};

inline void keepalive_member::keepalive_start(const net::any_io_executor& ex,
                                              std::chrono::steady_clock::duration idle) {
    auto& ctx = net::query(ex, net::execution::context);
    net::use_service<keepalive_service>(ctx).add(*this, ex, idle);
}
inline void keepalive_member::keepalive_seen() noexcept {
    if (!ka_) return;
    ka_seen_ = ka_->tick();
    ka_pinged_ = false;
}
inline void keepalive_member::keepalive_stop() noexcept {
    if (ka_) ka_->remove(*this);
}

} // namespace peerline
