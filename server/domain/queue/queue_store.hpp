// The queue in Redis (one hash slot, {pl:q}): waiting requests, offers,
// listeners' states, conversations and the live-node index. This store runs
// the queue scripts for the node's background work (matching, expiring
// offers, reaping dead nodes, heartbeats, ending what a swept session left)
// and answers with structs; no reply is read by position outside this file.
// (client_session still calls enqueue, accept, decline, listener states and
// positions itself; docs/ARCHITECTURE.md, "Not yet reshaped".)
//
// Callbacks run on the Redis client's executor, where the matcher and the
// janitor live. Thread-safety: any thread may call (the client posts).
#pragma once

#include "peerline/protocol/node_messages.hpp"
#include "redis/client.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace peerline {

class queue_store {
public:
    // Where a session is: its node and its random session id.
    struct address {
        std::string node;
        std::string sid;
    };

    explicit queue_store(redis::client& redis) : redis_(redis) {}

    // ---- Matching (queue_match.lua) --------------------------------------
    struct offer {
        address listener;
        protocol::cluster::offer_made event;
    };
    struct match_result {
        bool failed = false; // Redis did not answer, or answered `error`
        std::string error;   // Redis's error text; empty when it was unreachable
        std::vector<offer> offers;
    };
    // Makes every offer it can, at most one per id in `offer_ids`.
    void match(long long now_ms, std::chrono::milliseconds offer_timeout, std::vector<std::string> offer_ids,
               std::function<void(match_result)> done);

    // ---- Offers nobody answered (offers_expire.lua) ------------------------
    struct expired_offer {
        std::string offer_id;
        address listener;
    };
    // Empty also when Redis did not answer (the next tick tries again).
    void expire_offers(long long now_ms, bool missed_offer_sets_away,
                       std::function<void(std::vector<expired_offer>)> done);

    // ---- Nodes (nodes_reap.lua, the node index) ----------------------------
    // Records that `node` is alive at `at_ms` (0: registered, not yet beating).
    void heartbeat(const std::string& node, long long at_ms);
    struct reaped {
        std::vector<std::string> lost_nodes;
        struct ended_conversation {
            std::string conversation_id;
            address survivor;
        };
        std::vector<ended_conversation> conversations;
        struct withdrawn_offer {
            std::string offer_id;
            address listener;
        };
        std::vector<withdrawn_offer> offers;
    };
    // Cleans up after nodes silent for `dead_after` (never `spare_node`),
    // registering `register_node` in the same call when not empty. nullopt:
    // Redis did not answer, or there was nothing to do.
    void reap_nodes(long long now_ms, std::chrono::milliseconds dead_after, std::string spare_node,
                    std::string register_node, std::function<void(std::optional<reaped>)> done);

    // ---- Leaving and ending (queue_leave.lua, conversation_end.lua) --------
    struct left {
        bool answered = false; // false: Redis did not answer
        // The request had an offer out, now withdrawn: tell the listener.
        std::optional<expired_offer> withdrawn;
    };
    // The reply of queue_leave.lua (and of session_detach.lua, which answers
    // in the same shape) as a `left`.
    static left read_left(const redis::value& reply);
    void leave(std::string request_id, long long now_ms, std::string reason, std::function<void(left)> done);

    struct ended {
        address gp;
        address listener;
        std::string listener_username;
        long long wrapup_until_ms = 0;
    };
    // nullopt: already ended, or Redis did not answer.
    void end_conversation(std::string conversation_id, long long now_ms, std::chrono::milliseconds wrapup,
                          std::string reason, std::function<void(std::optional<ended>)> done);

private:
    redis::client& redis_;
};

} // namespace peerline
