// Caps concurrent connections per client address (a slow or hostile client
// cannot take every socket) and in all (the node keeps files for Redis and
// its own needs). Thread-safe. A `slot` is held for the life of a
// connection and released by its destructor.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace peerline {

class address_limits : public std::enable_shared_from_this<address_limits> {
public:
    explicit address_limits(unsigned max_per_address,
                            std::size_t max_total = std::numeric_limits<std::size_t>::max())
        : max_(max_per_address), max_total_(max_total) {}

    enum class refusal { none, address_cap, node_cap };

    // Held by value in the connection (no allocation of its own): the owner
    // and the address's entry in `counts_`, which exists for as long as any
    // slot holds it (unordered_map entries do not move).
    class slot {
    public:
        slot() = default;
        slot(slot&& o) noexcept : owner_(std::move(o.owner_)), entry_(o.entry_) { o.entry_ = nullptr; }
        slot& operator=(slot&& o) noexcept {
            if (this != &o) {
                reset();
                owner_ = std::move(o.owner_);
                entry_ = o.entry_;
                o.entry_ = nullptr;
            }
            return *this;
        }
        ~slot() { reset(); }
        slot(const slot&) = delete;
        slot& operator=(const slot&) = delete;
        explicit operator bool() const noexcept { return entry_ != nullptr; }

    private:
        friend class address_limits;
        using entry = std::pair<const std::string, unsigned>;
        slot(std::shared_ptr<address_limits> owner, entry* e) : owner_(std::move(owner)), entry_(e) {}
        void reset() noexcept {
            if (entry_) owner_->release(*entry_);
            entry_ = nullptr;
            owner_.reset();
        }
        std::shared_ptr<address_limits> owner_;
        entry* entry_ = nullptr;
    };

    // A slot, or an empty one if the address already holds the maximum or
    // the node is full (`why` says which).
    slot acquire(const std::string& address, refusal* why = nullptr) {
        std::lock_guard lock(mutex_);
        if (total_ >= max_total_) {
            if (why) *why = refusal::node_cap;
            return slot();
        }
        auto it = counts_.try_emplace(address, 0u).first;
        if (it->second >= max_) {
            if (it->second == 0) counts_.erase(it);
            if (why) *why = refusal::address_cap;
            return slot();
        }
        ++it->second;
        ++total_;
        return slot(shared_from_this(), &*it);
    }

private:
    void release(slot::entry& e) noexcept {
        std::lock_guard lock(mutex_);
        --total_;
        if (--e.second == 0) counts_.erase(counts_.find(e.first));
    }

    unsigned max_;
    std::size_t max_total_;
    std::size_t total_ = 0; // slots held
    mutable std::mutex mutex_;
    std::unordered_map<std::string, unsigned> counts_;
};

} // namespace peerline
