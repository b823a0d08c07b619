// Encoding and strict decoding of the messages between nodes
// (node_messages.hpp). Same bounded parser and field reader as the client
// protocol, so a malformed or hostile message is refused the same way.
#include "json_reader.hpp"

#include "peerline/protocol/node_messages.hpp"

#include <array>
#include <limits>

namespace peerline::protocol::cluster {
namespace {

using detail::field_reader;
using ojson = nlohmann::ordered_json;

constexpr std::uint64_t max_channel = std::numeric_limits<std::uint16_t>::max();
constexpr std::size_t length_bytes = 4;

// The client protocol's limits object, carrying ours, for parse_bounded.
limits json_limits(const node_limits& lim) {
    limits l;
    l.max_control_frame_bytes = lim.max_json_bytes;
    l.max_string_bytes = lim.max_string_bytes;
    l.max_object_members = 16;
    return l;
}

// One bounded JSON object, or the first error: a parse error, or
// not_an_object when the document is valid JSON of another kind.
detail::parsed_document parse_object(std::string_view text, const node_limits& lim, std::size_t max_depth) {
    auto parsed = detail::parse_bounded(text, json_limits(lim), max_depth);
    if (!parsed.err && !parsed.doc.is_object()) parsed.err = make_error(error_code::not_an_object);
    return parsed;
}

std::string_view to_string(withdrawal w) noexcept {
    return w == withdrawal::gp_left ? "gp_left" : "expired";
}
std::optional<withdrawal> withdrawal_from_string(std::string_view s) noexcept {
    if (s == "expired") return withdrawal::expired;
    if (s == "gp_left") return withdrawal::gp_left;
    return std::nullopt;
}

// --- events: names, writers and readers, indexed like session_event ---------

constexpr std::array<std::string_view, std::variant_size_v<session_event>> event_names{
    "offer",    "offer_withdrawn", "conv_start",       "conv_ack",     "conv_end",
    "peer_detached", "peer_moved", "account_disabled", "rota_changed", "escalation"};

void put(ojson& j, const offer_made& e) {
    j["offer_id"] = e.offer_id;
    j["topic"] = e.about ? std::string(protocol::to_string(*e.about)) : std::string();
    j["urgent"] = e.urgent;
    j["expires_in_ms"] = e.expires_in_ms;
}
void put(ojson& j, const offer_withdrawn& e) {
    j["offer_id"] = e.offer_id;
    j["reason"] = std::string(to_string(e.reason));
    j["away"] = e.sets_away;
}
void put(ojson& j, const conversation_start& e) {
    j["cid"] = e.conversation_id;
    j["peer_sid"] = e.peer_sid;
    j["peer_node"] = e.peer_node;
    j["peer_channel"] = e.peer_channel;
    j["listener"] = e.listener;
}
void put(ojson& j, const conversation_ack& e) {
    j["cid"] = e.conversation_id;
    j["channel"] = e.channel;
}
void put(ojson& j, const conversation_end& e) {
    j["cid"] = e.conversation_id;
    j["reason"] = std::string(protocol::to_string(e.reason));
    j["by"] = std::string(protocol::to_string(e.by));
}
void put(ojson& j, const peer_detached& e) {
    j["cid"] = e.conversation_id;
}
void put(ojson& j, const peer_moved& e) {
    j["cid"] = e.conversation_id;
    j["peer_node"] = e.peer_node;
    j["peer_channel"] = e.peer_channel;
}
void put(ojson& j, const account_disabled& e) {
    j["username"] = e.username;
}
void put(ojson& /*j*/, const rota_changed& /*e*/) {}
void put(ojson& j, const escalation_raised& e) {
    j["listener"] = e.listener;
    j["cid"] = e.conversation_id;
}

std::string id(field_reader& f, std::string_view name) {
    auto s = f.string(name);
    f.require(detail::is_valid_id(s), name);
    return s;
}
std::string non_empty(field_reader& f, std::string_view name) {
    auto s = f.string(name);
    f.require(!s.empty(), name);
    return s;
}
std::uint16_t channel(field_reader& f, std::string_view name, std::uint64_t min) {
    return static_cast<std::uint16_t>(f.integer(name, min, max_channel));
}

session_event read_offer(field_reader& f) {
    offer_made e;
    e.offer_id = id(f, "offer_id");
    if (auto t = f.optional_string("topic"); t && !t->empty()) {
        e.about = topic_from_string(*t);
        f.require(e.about.has_value(), "topic");
    }
    e.urgent = f.boolean("urgent");
    e.expires_in_ms =
        static_cast<std::uint32_t>(f.integer("expires_in_ms", 0, std::numeric_limits<std::uint32_t>::max()));
    return e;
}
session_event read_offer_withdrawn(field_reader& f) {
    offer_withdrawn e;
    e.offer_id = id(f, "offer_id");
    e.reason = f.enumeration("reason", withdrawal_from_string);
    e.sets_away = f.optional_boolean("away").value_or(false);
    return e;
}
session_event read_conversation_start(field_reader& f) {
    conversation_start e;
    e.conversation_id = id(f, "cid");
    e.peer_sid = id(f, "peer_sid");
    e.peer_node = non_empty(f, "peer_node");
    e.peer_channel = channel(f, "peer_channel", 1);
    e.listener = f.string("listener");
    return e;
}
session_event read_conversation_ack(field_reader& f) {
    conversation_ack e;
    e.conversation_id = id(f, "cid");
    e.channel = channel(f, "channel", 1);
    return e;
}
session_event read_conversation_end(field_reader& f) {
    conversation_end e;
    e.conversation_id = id(f, "cid");
    e.reason = f.enumeration("reason", end_reason_from_string);
    e.by = f.enumeration("by", ended_by_from_string);
    return e;
}
session_event read_peer_detached(field_reader& f) {
    return peer_detached{id(f, "cid")};
}
session_event read_peer_moved(field_reader& f) {
    peer_moved e;
    e.conversation_id = id(f, "cid");
    e.peer_node = non_empty(f, "peer_node");
    e.peer_channel = channel(f, "peer_channel", 1);
    return e;
}
session_event read_account_disabled(field_reader& f) {
    return account_disabled{non_empty(f, "username")};
}
session_event read_rota_changed(field_reader& /*f*/) {
    return rota_changed{};
}
session_event read_escalation(field_reader& f) {
    escalation_raised e;
    e.listener = f.string("listener");
    e.conversation_id = id(f, "cid");
    return e;
}

using event_reader = session_event (*)(field_reader&);
constexpr std::array<event_reader, std::variant_size_v<session_event>> event_readers{
    read_offer,         read_offer_withdrawn, read_conversation_start, read_conversation_ack,
    read_conversation_end, read_peer_detached, read_peer_moved,       read_account_disabled,
    read_rota_changed,  read_escalation};

ojson event_json(const session_event& e) {
    ojson j;
    j["e"] = std::string(kind_name(e));
    std::visit([&j](const auto& x) { put(j, x); }, e);
    return j;
}

// Reads an event object: "e" names the kind.
std::optional<session_event> read_event(const detail::json& doc, std::optional<error>& err,
                                        std::string path) {
    field_reader f(doc, err, field_reader::scope::nested, std::move(path));
    auto kind = f.string("e");
    if (f.failed()) return std::nullopt;
    for (std::size_t i = 0; i < event_names.size(); ++i) {
        if (event_names[i] != kind) continue;
        auto e = event_readers[i](f);
        if (f.failed()) return std::nullopt;
        return e;
    }
    err = make_error(error_code::unknown_type);
    return std::nullopt;
}

// --- relay frames ------------------------------------------------------------

decoded<node_message> relay_error(std::string_view detail) {
    decoded<node_message> r;
    r.err = make_error(error_code::invalid_field_value, detail);
    return r;
}

} // namespace

std::string_view kind_name(const session_event& e) noexcept {
    return event_names[e.index()];
}

std::string encode_addressed_event(std::string_view sid, const session_event& e) {
    ojson j;
    j["sid"] = std::string(sid);
    j["ev"] = event_json(e);
    return "C" + detail::to_compact_text(j);
}

std::size_t append_relay_frame(std::string& batch, std::string_view sid, std::string_view frame,
                               std::size_t batch_start) {
    if (batch.size() <= batch_start) {
        batch.resize(batch_start);
        batch.push_back('B');
    }
    batch.append(sid);
    auto n = static_cast<std::uint32_t>(frame.size());
    for (int shift = 24; shift >= 0; shift -= 8) batch.push_back(static_cast<char>((n >> shift) & 0xFF));
    auto at = batch.size();
    batch.append(frame);
    return at;
}

decoded<node_message> decode_node_message(std::string_view payload, const node_limits& lim) {
    decoded<node_message> result;
    if (payload.empty()) {
        result.err = make_error(error_code::missing_type);
        return result;
    }
    const char kind = payload[0];
    auto body = payload.substr(1);
    if (kind == 'B') {
        relay_batch batch;
        while (!body.empty()) {
            if (body.size() < session_id_bytes + length_bytes) return relay_error("relay batch");
            auto sid = body.substr(0, session_id_bytes);
            std::uint32_t n = 0;
            for (std::size_t i = 0; i < length_bytes; ++i)
                n = (n << 8) | static_cast<unsigned char>(body[session_id_bytes + i]);
            body.remove_prefix(session_id_bytes + length_bytes);
            if (n > body.size()) return relay_error("relay batch length");
            if (n > lim.max_relay_frame_bytes) {
                result.err = make_error(error_code::frame_too_large, "relay frame");
                return result;
            }
            if (n == 0) return relay_error("relay frame");
            batch.parts.push_back({sid, body.substr(0, n)});
            body.remove_prefix(n);
        }
        if (batch.parts.empty()) return relay_error("relay batch");
        result.value = std::move(batch);
        return result;
    }
    if (kind == 'C') {
        auto parsed = parse_object(body, lim, 2);
        if (parsed.err) {
            result.err = std::move(parsed.err);
            return result;
        }
        std::optional<error> err;
        field_reader f(parsed.doc, err, field_reader::scope::nested);
        auto sid = id(f, "sid");
        static_cast<void>(f.nested("ev")); // checks it is an object
        if (err) {
            result.err = std::move(err);
            return result;
        }
        auto event = read_event(parsed.doc["ev"], err, "ev.");
        if (!event) {
            result.err = std::move(err);
            return result;
        }
        result.value = addressed_event{std::move(sid), std::move(*event)};
        return result;
    }
    result.err = make_error(error_code::unknown_type);
    return result;
}

std::string encode(const broadcast& b) {
    ojson j;
    std::visit(
        [&j](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, queue_changed>) {
                j["b"] = "queue";
            } else if constexpr (std::is_same_v<T, rota_changed>) {
                j["b"] = "rota";
            } else {
                j["b"] = "escalation";
                put(j, x);
            }
        },
        b);
    return detail::to_compact_text(j);
}

decoded<broadcast> decode_broadcast(std::string_view payload, const node_limits& lim) {
    decoded<broadcast> result;
    auto parsed = parse_object(payload, lim, 1);
    if (parsed.err) {
        result.err = std::move(parsed.err);
        return result;
    }
    std::optional<error> err;
    field_reader f(parsed.doc, err, field_reader::scope::nested);
    auto kind = f.string("b");
    if (kind == "queue") {
        result.value = queue_changed{};
    } else if (kind == "rota") {
        result.value = rota_changed{};
    } else if (kind == "escalation") {
        auto e = read_escalation(f);
        if (!err) result.value = std::get<escalation_raised>(std::move(e));
    } else if (!err) {
        err = make_error(error_code::unknown_type);
    }
    if (err) {
        result.value.reset();
        result.err = std::move(err);
    }
    return result;
}

std::string encode(const detached_session& s) {
    ojson j;
    j["rid"] = s.request_id;
    j["convs"] = ojson::array();
    for (const auto& c : s.conversations) {
        j["convs"].push_back({{"cid", c.conversation_id},
                              {"peer_sid", c.peer_sid},
                              {"peer_node", c.peer_node},
                              {"peer_channel", c.peer_channel},
                              {"listener", c.listener}});
    }
    return detail::to_compact_text(j);
}

decoded<detached_session> decode_detached_session(std::string_view text, const node_limits& lim) {
    decoded<detached_session> result;
    auto parsed = parse_object(text, lim, 3);
    if (parsed.err) {
        result.err = std::move(parsed.err);
        return result;
    }
    std::optional<error> err;
    field_reader f(parsed.doc, err, field_reader::scope::nested);
    detached_session s;
    s.request_id = f.string("rid");
    f.require(s.request_id.empty() || detail::is_valid_id(s.request_id), "rid");
    for (auto& c : f.objects("convs", lim.max_detached_conversations)) {
        detached_conversation d;
        d.conversation_id = id(c, "cid");
        d.peer_sid = id(c, "peer_sid");
        d.peer_node = non_empty(c, "peer_node");
        d.peer_channel = channel(c, "peer_channel", 0);
        d.listener = c.string("listener");
        s.conversations.push_back(std::move(d));
    }
    if (err) {
        result.err = std::move(err);
        return result;
    }
    result.value = std::move(s);
    return result;
}

} // namespace peerline::protocol::cluster
