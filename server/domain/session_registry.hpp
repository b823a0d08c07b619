// This node's client sessions by session id, for events and relay frames
// addressed to them.
//
// Looked up once per relay frame that arrives from another node (on the
// subscriber's executor) and by any thread that opens a conversation, so it
// is split into shards, each with its own lock: a lookup locks one shard,
// never the whole registry, and sessions coming and going on the I/O
// threads contend with a frame's lookup only when they hash to its shard.
// Entries are weak: the registry never keeps a session alive.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace peerline {

template <class Session> class session_registry {
public:
    void add(const std::string& sid, const std::shared_ptr<Session>& s) {
        auto& sh = shard_of(sid);
        std::lock_guard lock(sh.mutex);
        sh.sessions[sid] = s;
    }

    // Removes sid only if it still maps to `s` (a resumed session may have
    // replaced it).
    void remove(const std::string& sid, const Session* s) {
        auto& sh = shard_of(sid);
        std::lock_guard lock(sh.mutex);
        auto it = sh.sessions.find(sid);
        if (it == sh.sessions.end()) return;
        auto current = it->second.lock();
        if (!current || current.get() == s) sh.sessions.erase(it);
    }

    std::shared_ptr<Session> find(const std::string& sid) const {
        const auto& sh = shard_of(sid);
        std::lock_guard lock(sh.mutex);
        auto it = sh.sessions.find(sid);
        return it == sh.sessions.end() ? nullptr : it->second.lock();
    }

    std::size_t size() const {
        std::size_t n = 0;
        for (const auto& sh : shards_) {
            std::lock_guard lock(sh.mutex);
            n += sh.sessions.size();
        }
        return n;
    }

    // Every live session, gathered shard by shard (no lock is held while the
    // caller uses them).
    std::vector<std::shared_ptr<Session>> all() const {
        std::vector<std::shared_ptr<Session>> out;
        for (const auto& sh : shards_) {
            std::lock_guard lock(sh.mutex);
            for (const auto& [sid, weak] : sh.sessions)
                if (auto s = weak.lock()) out.push_back(std::move(s));
        }
        return out;
    }

private:
    // Enough that the I/O threads (one per core) and the subscriber rarely
    // meet on one shard; each costs a mutex and an empty hash table.
    static constexpr std::size_t shard_count = 16;

    struct shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, std::weak_ptr<Session>> sessions;
    };

    shard& shard_of(std::string_view sid) { return shards_[std::hash<std::string_view>{}(sid) % shard_count]; }
    const shard& shard_of(std::string_view sid) const {
        return shards_[std::hash<std::string_view>{}(sid) % shard_count];
    }

    std::array<shard, shard_count> shards_;
};

} // namespace peerline
