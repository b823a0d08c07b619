// Caps concurrent connections per client address (a slow or hostile client
// cannot take every socket) and in all (the node keeps files for Redis and
// its own needs). Thread-safe. A `slot` is held for the life of a
// connection and released by its destructor.
//
// Two caps per address, because many GPs share few addresses (practice and
// NHS network NAT): a tight one for connections that have not authenticated
// yet (what slow-request attacks hold open: half-sent requests, idle
// keep-alive HTTP, WebSockets before `hello`), and a much higher one for
// WebSocket sessions that have (`promote`). An authenticated session no
// longer counts against the tight cap, so 64 idle half-sent requests from
// one address cannot lock out the GPs behind it, and they in turn cannot
// take more than their own cap.
//
// A connection from a trusted proxy starts `exempt` (it counts only against
// the node's total) until the proxy says whose it is (`readdress`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace peerline {

class address_limits : public std::enable_shared_from_this<address_limits> {
public:
    // max_pending_per_address: connections not (yet) authenticated;
    // max_authenticated_per_address: authenticated WebSocket sessions.
    explicit address_limits(unsigned max_pending_per_address,
                            std::size_t max_total = std::numeric_limits<std::size_t>::max(),
                            unsigned max_authenticated_per_address = std::numeric_limits<unsigned>::max())
        : max_pending_(max_pending_per_address), max_authenticated_(max_authenticated_per_address),
          max_total_(max_total) {}

    enum class refusal { none, address_cap, node_cap };

    struct counts {
        unsigned pending = 0;
        unsigned authenticated = 0;
    };

    // Held by value in the connection: the owner, the address's entry in
    // `counts_` (which exists for as long as any slot holds it;
    // unordered_map entries do not move) and which count it is in.
    class slot {
    public:
        slot() = default;
        slot(slot&& o) noexcept : owner_(std::move(o.owner_)), entry_(o.entry_), kind_(o.kind_) {
            o.entry_ = nullptr;
            o.kind_ = kind::none;
        }
        slot& operator=(slot&& o) noexcept {
            if (this != &o) {
                reset();
                owner_ = std::move(o.owner_);
                entry_ = o.entry_;
                kind_ = o.kind_;
                o.entry_ = nullptr;
                o.kind_ = kind::none;
            }
            return *this;
        }
        ~slot() { reset(); }
        slot(const slot&) = delete;
        slot& operator=(const slot&) = delete;
        explicit operator bool() const noexcept { return kind_ != kind::none; }
        bool authenticated() const noexcept { return kind_ == kind::authenticated; }
        // address_limits::promote and ::readdress on this slot's owner.
        bool promote() { return owner_ && owner_->promote(*this); }
        bool readdress(const std::string& address) { return owner_ && owner_->readdress(*this, address); }
        // The address it is counted under ("" while exempt or empty).
        const std::string& address() const noexcept {
            static const std::string none;
            return entry_ ? entry_->first : none;
        }

    private:
        friend class address_limits;
        enum class kind : std::uint8_t { none, exempt, pending, authenticated };
        using entry = std::pair<const std::string, counts>;
        slot(std::shared_ptr<address_limits> owner, entry* e, kind k)
            : owner_(std::move(owner)), entry_(e), kind_(k) {}
        void reset() noexcept {
            if (kind_ != kind::none) owner_->release(entry_, kind_);
            entry_ = nullptr;
            kind_ = kind::none;
            owner_.reset();
        }
        std::shared_ptr<address_limits> owner_;
        entry* entry_ = nullptr;
        kind kind_ = kind::none;
    };

    // A slot counted as not yet authenticated, or an empty one if the
    // address already holds its maximum of those or the node is full (`why`
    // says which).
    slot acquire(const std::string& address, refusal* why = nullptr) {
        std::lock_guard lock(mutex_);
        if (total_ >= max_total_) return refuse(why, refusal::node_cap);
        auto* e = take_pending(address);
        if (!e) return refuse(why, refusal::address_cap);
        ++total_;
        return slot(shared_from_this(), e, slot::kind::pending);
    }

    // A slot for a trusted proxy's connection whose client is not known yet:
    // counted only against the node's total.
    slot acquire_exempt(refusal* why = nullptr) {
        std::lock_guard lock(mutex_);
        if (total_ >= max_total_) return refuse(why, refusal::node_cap);
        ++total_;
        return slot(shared_from_this(), nullptr, slot::kind::exempt);
    }

    // Counts a not-yet-authenticated (or exempt) slot under `address`
    // instead: the client a trusted proxy named. False, with the slot
    // unchanged, if that address already holds its maximum.
    bool readdress(slot& s, const std::string& address) {
        if (s.kind_ != slot::kind::pending && s.kind_ != slot::kind::exempt) return false;
        std::lock_guard lock(mutex_);
        if (s.entry_ && s.entry_->first == address) return true;
        auto* e = take_pending(address);
        if (!e) return false;
        if (s.entry_) drop(s.entry_, s.kind_);
        s.entry_ = e;
        s.kind_ = slot::kind::pending;
        return true;
    }

    // Moves a slot from the not-yet-authenticated count to the authenticated
    // one: the session said a valid `hello`. False, with the slot unchanged,
    // if its address already holds the maximum of authenticated sessions.
    bool promote(slot& s) {
        if (s.kind_ == slot::kind::authenticated) return true;
        if (s.kind_ != slot::kind::pending) return false;
        std::lock_guard lock(mutex_);
        if (s.entry_->second.authenticated >= max_authenticated_) return false;
        --s.entry_->second.pending;
        ++s.entry_->second.authenticated;
        s.kind_ = slot::kind::authenticated;
        return true;
    }

    // What an address holds now (tests and diagnostics).
    counts held_by(const std::string& address) const {
        std::lock_guard lock(mutex_);
        auto it = counts_.find(address);
        return it == counts_.end() ? counts{} : it->second;
    }

private:
    static slot refuse(refusal* why, refusal r) {
        if (why) *why = r;
        return slot();
    }

    // Under the lock: one more pending connection for `address`, or null.
    slot::entry* take_pending(const std::string& address) {
        auto it = counts_.try_emplace(address).first;
        if (it->second.pending >= max_pending_) {
            if (it->second.pending == 0 && it->second.authenticated == 0) counts_.erase(it);
            return nullptr;
        }
        ++it->second.pending;
        return &*it;
    }

    // Under the lock: one fewer in `e`'s count of kind `k`.
    void drop(slot::entry* e, slot::kind k) noexcept {
        if (!e) return;
        if (k == slot::kind::authenticated) --e->second.authenticated;
        else --e->second.pending;
        if (e->second.pending == 0 && e->second.authenticated == 0) counts_.erase(counts_.find(e->first));
    }

    void release(slot::entry* e, slot::kind k) noexcept {
        std::lock_guard lock(mutex_);
        --total_;
        drop(e, k);
    }

    unsigned max_pending_;
    unsigned max_authenticated_;
    std::size_t max_total_;
    std::size_t total_ = 0; // slots held
    mutable std::mutex mutex_;
    std::unordered_map<std::string, counts> counts_;
};

} // namespace peerline
