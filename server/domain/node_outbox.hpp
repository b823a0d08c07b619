// What one thread has gathered for other nodes in the current turn of its
// event loop: per node, relay batches and the events sent after them, in
// the order they were sent.
//
// Each thread that relays to another node has its own outbox (the router
// finds it per thread), touched only by that thread: appending a frame
// takes no lock. Once per turn the thread hands everything over to the
// Redis executor in one post (router::hand_over). Frames of one
// conversation side always come from one session, on one thread, so they
// stay in order; an event for a node with frames waiting in this outbox
// queues behind them, so nothing a session sent to a node overtakes what it
// sent there before.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace peerline {

struct node_outbox {
    struct message {
        // A relay batch: `room` free bytes (where the PUBLISH header is
        // written at the flush, redis::client::publish_in_place), then the
        // batch. An event: its encoded bytes, room 0.
        std::string bytes;
        std::size_t room = 0;
        bool relay = false;
    };
    struct for_node {
        std::string node;
        std::string channel;    // pl:node:<id>
        std::size_t room = 0;   // header room a batch for this channel needs
        std::vector<message> messages;
    };

    // Nodes this thread has sent to (a handful: kept, with their channel
    // names, from turn to turn; only their messages are handed over).
    std::vector<for_node> nodes;
    bool hand_over_posted = false;

    for_node* find(const std::string& node) {
        for (auto& n : nodes)
            if (n.node == node) return &n;
        return nullptr;
    }
};

} // namespace peerline
