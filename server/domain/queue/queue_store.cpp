#include "domain/queue/queue_store.hpp"

#include "domain/keys.hpp"
#include "domain/scripts.hpp"

#include <cstdlib>

namespace peerline {

namespace pr = protocol;
namespace pc = protocol::cluster;

void queue_store::match(long long now_ms, std::chrono::milliseconds offer_timeout,
                        std::vector<std::string> offer_ids, std::function<void(match_result)> done) {
    std::vector<std::string> args;
    args.reserve(2 + offer_ids.size());
    args.push_back(std::to_string(now_ms));
    args.push_back(std::to_string(offer_timeout.count()));
    for (auto& id : offer_ids) args.push_back(std::move(id));
    const auto expires_in_ms = static_cast<std::uint32_t>(offer_timeout.count());
    redis_.eval(scripts::queue_match(), {keys::queue_prefix}, std::move(args),
                [expires_in_ms, done = std::move(done)](redis::value v) {
                    match_result r;
                    if (v.failed()) {
                        r.failed = true;
                        if (v.is_error()) r.error = v.str;
                        return done(std::move(r));
                    }
                    // 8 entries per offer: offer_id, request_id, listener_sid,
                    // listener_node, topic, urgent, gp_sid, gp_node.
                    auto& e = v.elements;
                    for (std::size_t i = 0; i + 8 <= e.size(); i += 8)
                        r.offers.push_back(offer{{e[i + 3].str, e[i + 2].str},
                                                 pc::offer_made{e[i].str, pr::topic_from_string(e[i + 4].str),
                                                                e[i + 5].str == "1", expires_in_ms}});
                    done(std::move(r));
                });
}

void queue_store::expire_offers(long long now_ms, bool missed_offer_sets_away,
                                std::function<void(std::vector<expired_offer>)> done) {
    redis_.eval(scripts::offers_expire(), {keys::queue_prefix},
                {std::to_string(now_ms), missed_offer_sets_away ? "1" : "0"},
                [done = std::move(done)](redis::value v) {
                    std::vector<expired_offer> out;
                    if (!v.failed()) {
                        // offer_id, listener_sid, listener_node, ...
                        auto& e = v.elements;
                        for (std::size_t i = 0; i + 2 < e.size(); i += 3)
                            out.push_back({e[i].str, {e[i + 2].str, e[i + 1].str}});
                    }
                    done(std::move(out));
                });
}

void queue_store::heartbeat(const std::string& node, long long at_ms) {
    redis_.exec({"ZADD", keys::nodes, std::to_string(at_ms), node}, [](redis::value) {});
}

void queue_store::reap_nodes(long long now_ms, std::chrono::milliseconds dead_after, std::string spare_node,
                             std::string register_node, std::function<void(std::optional<reaped>)> done) {
    redis_.eval(scripts::nodes_reap(), {keys::queue_prefix},
                {std::to_string(now_ms), std::to_string(dead_after.count()), std::move(spare_node),
                 std::move(register_node)},
                [done = std::move(done)](redis::value v) {
                    if (v.failed() || v.elements.empty()) return done(std::nullopt);
                    // Notices of 4 entries: "node", id, "", "" | "conv", id,
                    // surviving_sid, surviving_node | "offer", id, listener_sid,
                    // listener_node.
                    reaped r;
                    auto& e = v.elements;
                    for (std::size_t i = 0; i + 3 < e.size(); i += 4) {
                        auto& kind = e[i].str;
                        if (kind == "node")
                            r.lost_nodes.push_back(e[i + 1].str);
                        else if (kind == "conv")
                            r.conversations.push_back({e[i + 1].str, {e[i + 3].str, e[i + 2].str}});
                        else if (kind == "offer")
                            r.offers.push_back({e[i + 1].str, {e[i + 3].str, e[i + 2].str}});
                    }
                    done(std::move(r));
                });
}

queue_store::left queue_store::read_left(const redis::value& v) {
    left out;
    if (v.failed()) return out;
    out.answered = true;
    // {"none"} | {"left"} | {"withdrawn", offer_id, listener_sid, listener_node}
    if (v.elements.size() == 4 && v.elements[0].str == "withdrawn")
        out.withdrawn = expired_offer{v.elements[1].str, {v.elements[3].str, v.elements[2].str}};
    return out;
}

void queue_store::leave(std::string request_id, long long now_ms, std::string reason,
                        std::function<void(left)> done) {
    redis_.eval(scripts::queue_leave(), {keys::queue_prefix},
                {std::move(request_id), std::to_string(now_ms), std::move(reason)},
                [done = std::move(done)](redis::value v) { done(read_left(v)); });
}

void queue_store::end_conversation(std::string conversation_id, long long now_ms,
                                   std::chrono::milliseconds wrapup, std::string reason,
                                   std::function<void(std::optional<ended>)> done) {
    redis_.eval(scripts::conversation_end(), {keys::queue_prefix},
                {std::move(conversation_id), std::to_string(now_ms), std::to_string(wrapup.count()),
                 std::move(reason)},
                [done = std::move(done)](redis::value v) {
                    // {gp_sid, gp_node, listener_sid, listener_node, listener
                    // username, wrapup_until_ms}; nil when already ended.
                    if (v.failed() || v.elements.size() != 6) return done(std::nullopt);
                    auto& e = v.elements;
                    done(ended{{e[1].str, e[0].str},
                               {e[3].str, e[2].str},
                               e[4].str,
                               e[5].type == redis::value::kind::integer ? e[5].integer
                                                                        : std::atoll(e[5].str.c_str())});
                });
}

} // namespace peerline
