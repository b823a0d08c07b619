// Caps concurrent connections per client address (a slow or hostile client
// cannot take every socket). Thread-safe. A `slot` is held for the life of
// a connection and released by its destructor.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace peerline {

class address_limits : public std::enable_shared_from_this<address_limits> {
public:
    explicit address_limits(unsigned max_per_address) : max_(max_per_address) {}

    class slot {
    public:
        slot(std::shared_ptr<address_limits> owner, std::string address)
            : owner_(std::move(owner)), address_(std::move(address)) {}
        ~slot() { owner_->release(address_); }
        slot(const slot&) = delete;
        slot& operator=(const slot&) = delete;

    private:
        std::shared_ptr<address_limits> owner_;
        std::string address_;
    };

    // A slot, or nullptr if the address already holds the maximum.
    std::unique_ptr<slot> acquire(const std::string& address) {
        std::lock_guard lock(mutex_);
        auto& n = counts_[address];
        if (n >= max_) return nullptr;
        ++n;
        return std::make_unique<slot>(shared_from_this(), address);
    }

    std::size_t total() const {
        std::lock_guard lock(mutex_);
        std::size_t sum = 0;
        for (auto& [a, n] : counts_) sum += n;
        return sum;
    }

private:
    void release(const std::string& address) {
        std::lock_guard lock(mutex_);
        auto it = counts_.find(address);
        if (it != counts_.end() && --it->second == 0) counts_.erase(it);
    }

    unsigned max_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, unsigned> counts_;
};

} // namespace peerline
