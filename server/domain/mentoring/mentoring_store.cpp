#include "domain/mentoring/mentoring_store.hpp"

#include "domain/mentoring/scripts.hpp"
#include "peerline/crypto/crypto.hpp"
#include "redis/client.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>

namespace peerline {

namespace {

namespace ms = scripts;
using boost::asio::use_awaitable;
using redis::value;

// Every key of the area, in one hash slot.
namespace key {
const std::string mentor_ids = "{pl:m}:mentor_ids"; // username -> mentor id, kept after revoking
const std::string mentors = "{pl:m}:mentors";       // mentor id -> username, current mentors only
const std::string cards = "{pl:m}:cards";           // mentor id -> card JSON
const std::string availability = "{pl:m}:avail";    // mentor id -> availability JSON
const std::string offers = "{pl:m}:offers";         // zset token hash by offer expiry
const std::string requests = "{pl:m}:requests";     // request id -> token hash
const std::string counts = "{pl:m}:counts";         // hash of counters
std::string pair(const std::string& token_hash) { return "{pl:m}:pair:" + token_hash; }
std::string notes(const std::string& token_hash) { return "{pl:m}:notes:" + token_hash; }
std::string inbox(const std::string& mentor_id) { return "{pl:m}:inbox:" + mentor_id; }
std::string rel(const std::string& id) { return "{pl:m}:rel:" + id; }
std::string rels_of(const std::string& mentor_id) { return "{pl:m}:rels:" + mentor_id; }
std::string booked(const std::string& mentor_id) { return "{pl:m}:booked:" + mentor_id; }
std::string token_failures(const std::string& address_hash) { return "{pl:m}:fail:" + address_hash; }
} // namespace key

long long to_ll(const std::string& s) { return std::atoll(s.c_str()); }

// A HGETALL / HMGET-free reading of a flat field list.
std::map<std::string, std::string> fields(const value& v) {
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i + 1 < v.elements.size(); i += 2) out[v.elements[i].str] = v.elements[i + 1].str;
    return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find(sep, start);
        if (end == std::string::npos) end = s.size();
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

} // namespace

mentoring_store::mentoring_store(std::shared_ptr<redis::client> redis) : redis_(std::move(redis)) {}

// (Commands and key lists are built as locals: GCC 12 miscompiles braced lists inside co_await.)

boost::asio::awaitable<mentoring_store::result<std::string>> mentoring_store::grant(std::string username) {
    std::vector<std::string> keys{key::mentor_ids, key::mentors};
    std::vector<std::string> args{username, crypto::random_hex(16)};
    auto v = co_await redis_->async_eval(ms::mentoring_grant(), std::move(keys), std::move(args), use_awaitable);
    if (v.failed()) co_return result<std::string>{true, {}};
    co_return result<std::string>{false, v.str};
}

boost::asio::awaitable<mentoring_store::result<std::string>> mentoring_store::revoke(std::string username) {
    std::vector<std::string> keys{key::mentor_ids, key::mentors};
    std::vector<std::string> args{username};
    auto v = co_await redis_->async_eval(ms::mentoring_revoke(), std::move(keys), std::move(args), use_awaitable);
    if (v.failed()) co_return result<std::string>{true, {}};
    co_return result<std::string>{false, v.is_nil() ? std::string() : v.str};
}

boost::asio::awaitable<mentoring_store::result<std::string>> mentoring_store::mentor_id_of(std::string username) {
    std::vector<std::string> get{"HGET", key::mentor_ids, username};
    auto id = co_await redis_->async_exec(std::move(get), use_awaitable);
    if (id.failed()) co_return result<std::string>{true, {}};
    if (id.is_nil()) co_return result<std::string>{false, {}};
    std::vector<std::string> current{"HEXISTS", key::mentors, id.str};
    auto active = co_await redis_->async_exec(std::move(current), use_awaitable);
    if (active.failed()) co_return result<std::string>{true, {}};
    co_return result<std::string>{false, active.integer == 1 ? id.str : std::string()};
}

boost::asio::awaitable<mentoring_store::result<std::vector<mentoring_store::mentor>>> mentoring_store::mentors() {
    result<std::vector<mentor>> out;
    std::vector<std::string> get_mentors{"HGETALL", key::mentors};
    auto m = co_await redis_->async_exec(std::move(get_mentors), use_awaitable);
    std::vector<std::string> get_cards{"HGETALL", key::cards};
    auto c = co_await redis_->async_exec(std::move(get_cards), use_awaitable);
    std::vector<std::string> get_avail{"HGETALL", key::availability};
    auto a = co_await redis_->async_exec(std::move(get_avail), use_awaitable);
    if (m.failed() || c.failed() || a.failed()) {
        out.unavailable = true;
        co_return out;
    }
    auto cards = fields(c);
    auto avail = fields(a);
    for (auto& [id, username] : fields(m)) out.value.push_back({id, username, cards[id], avail[id]});
    co_return out;
}

boost::asio::awaitable<mentoring_store::result<std::optional<mentoring_store::mentor>>>
mentoring_store::find_mentor(std::string id) {
    result<std::optional<mentor>> out;
    std::vector<std::string> get_user{"HGET", key::mentors, id};
    auto u = co_await redis_->async_exec(std::move(get_user), use_awaitable);
    std::vector<std::string> get_card{"HGET", key::cards, id};
    auto c = co_await redis_->async_exec(std::move(get_card), use_awaitable);
    std::vector<std::string> get_avail{"HGET", key::availability, id};
    auto a = co_await redis_->async_exec(std::move(get_avail), use_awaitable);
    if (u.failed() || c.failed() || a.failed()) {
        out.unavailable = true;
        co_return out;
    }
    if (!u.is_nil()) out.value = mentor{id, u.str, c.str, a.str};
    co_return out;
}

boost::asio::awaitable<mentoring_store::result<std::map<std::string, std::string>>> mentoring_store::mentor_ids() {
    std::vector<std::string> get{"HGETALL", key::mentor_ids};
    auto v = co_await redis_->async_exec(std::move(get), use_awaitable);
    if (v.failed()) co_return result<std::map<std::string, std::string>>{true, {}};
    co_return result<std::map<std::string, std::string>>{false, fields(v)};
}

boost::asio::awaitable<bool> mentoring_store::put_card(std::string id, std::string card_json) {
    std::vector<std::string> set{"HSET", key::cards, id, card_json};
    auto v = co_await redis_->async_exec(std::move(set), use_awaitable);
    co_return !v.failed();
}

boost::asio::awaitable<bool> mentoring_store::put_availability(std::string id, std::string availability_json) {
    std::vector<std::string> set{"HSET", key::availability, id, availability_json};
    auto v = co_await redis_->async_exec(std::move(set), use_awaitable);
    co_return !v.failed();
}

boost::asio::awaitable<mentoring_store::result<mentoring_store::create_outcome>>
mentoring_store::create_request(std::string token_hash, std::vector<choice> choices, long long now_ms,
                                long long expires_ms, unsigned plan_sessions) {
    std::vector<std::string> keys{key::pair(token_hash), key::notes(token_hash), key::offers, key::requests,
                                  key::mentors, key::inbox(choices.at(0).mentor_id), key::counts};
    std::vector<std::string> args{token_hash,
                                  std::to_string(now_ms),
                                  std::to_string(expires_ms),
                                  crypto::random_hex(16),
                                  std::to_string(plan_sessions),
                                  std::to_string(choices.size())};
    for (auto& c : choices) args.push_back(c.mentor_id);
    for (auto& c : choices) args.push_back(c.note);
    auto v = co_await redis_->async_eval(ms::mentoring_request_create(), std::move(keys), std::move(args),
                                         use_awaitable);
    if (v.failed()) co_return result<create_outcome>{true, {}};
    auto outcome = v.str == "ok"       ? create_outcome::created
                   : v.str == "exists" ? create_outcome::exists
                                       : create_outcome::unknown_mentor;
    co_return result<create_outcome>{false, outcome};
}

boost::asio::awaitable<mentoring_store::result<std::optional<mentoring_store::pairing>>>
mentoring_store::find_pairing(std::string token_hash) {
    std::vector<std::string> get{"HGETALL", key::pair(token_hash)};
    auto v = co_await redis_->async_exec(std::move(get), use_awaitable);
    result<std::optional<pairing>> out;
    if (v.failed()) {
        out.unavailable = true;
        co_return out;
    }
    auto f = fields(v);
    if (f.empty()) co_return out;
    pairing p;
    p.state = f["state"];
    p.choices = split(f["choices"], ',');
    p.choice = static_cast<unsigned>(to_ll(f["choice"]));
    p.request_id = f["request_id"];
    p.expires_ms = to_ll(f["expires_ms"]);
    p.relationship_id = f["rel"];
    p.sessions = static_cast<unsigned>(to_ll(f["sessions"]));
    out.value = std::move(p);
    co_return out;
}

boost::asio::awaitable<mentoring_store::result<std::vector<mentoring_store::offered_request>>>
mentoring_store::requests_for(std::string mentor_id) {
    result<std::vector<offered_request>> out;
    std::vector<std::string> get{"ZRANGE", key::inbox(mentor_id), "0", "-1"};
    auto ids = co_await redis_->async_exec(std::move(get), use_awaitable);
    if (ids.failed()) {
        out.unavailable = true;
        co_return out;
    }
    for (auto& id : ids.elements) {
        std::vector<std::string> get_hash{"HGET", key::requests, id.str};
        auto th = co_await redis_->async_exec(std::move(get_hash), use_awaitable);
        if (th.failed()) {
            out.unavailable = true;
            co_return out;
        }
        if (th.is_nil()) continue;
        std::vector<std::string> get_pair{"HMGET", key::pair(th.str), "request_id", "offered_ms", "expires_ms"};
        auto p = co_await redis_->async_exec(std::move(get_pair), use_awaitable);
        std::vector<std::string> get_note{"HGET", key::notes(th.str), mentor_id};
        auto note = co_await redis_->async_exec(std::move(get_note), use_awaitable);
        if (p.failed() || note.failed() || p.elements.size() != 3) {
            out.unavailable = true;
            co_return out;
        }
        if (p.elements[0].str != id.str) continue; // passed on meanwhile
        out.value.push_back({id.str, note.is_nil() ? std::string() : note.str, to_ll(p.elements[1].str),
                             to_ll(p.elements[2].str)});
    }
    co_return out;
}

namespace {
// The keys of mentoring_offer_pass.lua for one pairing.
std::vector<std::string> pass_keys(const std::string& token_hash, const std::vector<std::string>& choices) {
    std::vector<std::string> keys{key::pair(token_hash), key::notes(token_hash), key::offers, key::requests,
                                  key::counts};
    for (auto& c : choices) keys.push_back(key::inbox(c));
    return keys;
}

mentoring_store::answer_outcome pass_outcome(const value& v) {
    if (v.str == "passed") return mentoring_store::answer_outcome::passed;
    if (v.str == "declined") return mentoring_store::answer_outcome::declined_all;
    return mentoring_store::answer_outcome::stale;
}
} // namespace

boost::asio::awaitable<mentoring_store::result<mentoring_store::answer_outcome>>
mentoring_store::decline(std::string mentor_id, std::string request_id, long long now_ms, long long next_expires_ms) {
    std::vector<std::string> get{"HGET", key::requests, request_id};
    auto th = co_await redis_->async_exec(std::move(get), use_awaitable);
    if (th.failed()) co_return result<answer_outcome>{true, {}};
    if (th.is_nil()) co_return result<answer_outcome>{false, answer_outcome::stale};
    auto p = co_await find_pairing(th.str);
    if (p.unavailable) co_return result<answer_outcome>{true, {}};
    if (!p.value || p.value->choices.empty()) co_return result<answer_outcome>{false, answer_outcome::stale};
    auto keys = pass_keys(th.str, p.value->choices);
    std::vector<std::string> args{th.str, request_id, "declined", mentor_id, std::to_string(now_ms),
                                  std::to_string(next_expires_ms), crypto::random_hex(16)};
    auto v = co_await redis_->async_eval(ms::mentoring_offer_pass(), std::move(keys), std::move(args), use_awaitable);
    if (v.failed()) co_return result<answer_outcome>{true, {}};
    co_return result<answer_outcome>{false, pass_outcome(v)};
}

boost::asio::awaitable<mentoring_store::result<mentoring_store::answer_outcome>>
mentoring_store::accept(std::string mentor_id, std::string request_id, long long now_ms, std::string plan_json,
                        std::string& relationship_id) {
    std::vector<std::string> get{"HGET", key::requests, request_id};
    auto th = co_await redis_->async_exec(std::move(get), use_awaitable);
    if (th.failed()) co_return result<answer_outcome>{true, {}};
    if (th.is_nil()) co_return result<answer_outcome>{false, answer_outcome::stale};
    auto id = crypto::random_hex(16);
    std::vector<std::string> keys{key::pair(th.str), key::notes(th.str), key::offers,     key::requests,
                                  key::inbox(mentor_id), key::rel(id), key::rels_of(mentor_id), key::counts};
    std::vector<std::string> args{th.str, request_id, mentor_id, std::to_string(now_ms), id, plan_json};
    auto v = co_await redis_->async_eval(ms::mentoring_accept(), std::move(keys), std::move(args), use_awaitable);
    if (v.failed()) co_return result<answer_outcome>{true, {}};
    if (v.str != "ok") co_return result<answer_outcome>{false, answer_outcome::stale};
    relationship_id = id;
    co_return result<answer_outcome>{false, answer_outcome::accepted};
}

boost::asio::awaitable<mentoring_store::result<unsigned>>
mentoring_store::expire_offers(long long now_ms, long long next_expires_ms, unsigned batch) {
    std::vector<std::string> due{"ZRANGEBYSCORE", key::offers, "-inf", std::to_string(now_ms), "LIMIT", "0",
                                 std::to_string(batch)};
    auto v = co_await redis_->async_exec(std::move(due), use_awaitable);
    if (v.failed()) co_return result<unsigned>{true, 0};
    unsigned passed = 0;
    for (auto& th : v.elements) {
        auto p = co_await find_pairing(th.str);
        if (p.unavailable) co_return result<unsigned>{true, passed};
        if (!p.value || p.value->state != "offered") {
            // A leftover entry (the pairing was purged): drop it.
            std::vector<std::string> drop{"ZREM", key::offers, th.str};
            co_await redis_->async_exec(std::move(drop), use_awaitable);
            continue;
        }
        auto keys = pass_keys(th.str, p.value->choices);
        std::vector<std::string> args{th.str, p.value->request_id, "expired", "", std::to_string(now_ms),
                                      std::to_string(next_expires_ms), crypto::random_hex(16)};
        auto r = co_await redis_->async_eval(ms::mentoring_offer_pass(), std::move(keys), std::move(args),
                                             use_awaitable);
        if (r.failed()) co_return result<unsigned>{true, passed};
        if (pass_outcome(r) != answer_outcome::stale) ++passed;
    }
    co_return result<unsigned>{false, passed};
}

boost::asio::awaitable<mentoring_store::result<std::optional<mentoring_store::relationship>>>
mentoring_store::find_relationship(std::string id) {
    std::vector<std::string> get{"HGETALL", key::rel(id)};
    auto v = co_await redis_->async_exec(std::move(get), use_awaitable);
    result<std::optional<relationship>> out;
    if (v.failed()) {
        out.unavailable = true;
        co_return out;
    }
    auto f = fields(v);
    if (f.empty()) co_return out;
    out.value = relationship{id,          f["mentor"],   f["state"], f["plan"], f["bookings"],
                             static_cast<unsigned>(to_ll(f["sessions"])), to_ll(f["started_ms"]), f["token_hash"],
                             f["outcome_given"] == "1"};
    co_return out;
}

boost::asio::awaitable<mentoring_store::result<std::vector<mentoring_store::relationship>>>
mentoring_store::relationships_of(std::string mentor_id) {
    result<std::vector<relationship>> out;
    std::vector<std::string> members{"SMEMBERS", key::rels_of(mentor_id)};
    auto ids = co_await redis_->async_exec(std::move(members), use_awaitable);
    if (ids.failed()) {
        out.unavailable = true;
        co_return out;
    }
    for (auto& id : ids.elements) {
        auto r = co_await find_relationship(id.str);
        if (r.unavailable) {
            out.unavailable = true;
            co_return out;
        }
        if (r.value) out.value.push_back(std::move(*r.value));
    }
    co_return out;
}

boost::asio::awaitable<mentoring_store::result<std::vector<std::pair<long long, long long>>>>
mentoring_store::booked_times(std::string mentor_id) {
    std::vector<std::string> get{"ZRANGE", key::booked(mentor_id), "0", "-1", "WITHSCORES"};
    auto v = co_await redis_->async_exec(std::move(get), use_awaitable);
    result<std::vector<std::pair<long long, long long>>> out;
    if (v.failed()) {
        out.unavailable = true;
        co_return out;
    }
    for (std::size_t i = 0; i + 1 < v.elements.size(); i += 2) {
        const auto& member = v.elements[i].str; // <rel>#<number>#<end_ms>
        auto hash = member.rfind('#');
        out.value.emplace_back(to_ll(v.elements[i + 1].str), to_ll(member.substr(hash + 1)));
    }
    co_return out;
}

boost::asio::awaitable<mentoring_store::result<mentoring_store::booking_outcome>>
mentoring_store::replace_bookings(const relationship& r, std::string new_bookings, long long longest_session_ms) {
    std::vector<std::string> keys{key::rel(r.id), key::booked(r.mentor_id)};
    std::vector<std::string> args{r.id, r.mentor_id, r.bookings, std::move(new_bookings),
                                  std::to_string(longest_session_ms)};
    auto v = co_await redis_->async_eval(ms::mentoring_bookings(), std::move(keys), std::move(args), use_awaitable);
    if (v.failed()) co_return result<booking_outcome>{true, {}};
    auto outcome = v.str == "ok"      ? booking_outcome::ok
                   : v.str == "taken" ? booking_outcome::taken
                   : v.str == "changed" ? booking_outcome::changed
                                        : booking_outcome::wrong_state;
    co_return result<booking_outcome>{false, outcome};
}

boost::asio::awaitable<mentoring_store::result<bool>> mentoring_store::end_relationship(const relationship& r,
                                                                                     std::string mentor_id,
                                                                                     std::string reason,
                                                                                     long long now_ms) {
    std::vector<std::string> keys{key::rel(r.id), key::booked(mentor_id), key::pair(r.token_hash), key::counts};
    std::vector<std::string> args{r.id, mentor_id, reason, std::to_string(now_ms)};
    auto v = co_await redis_->async_eval(ms::mentoring_end(), std::move(keys), std::move(args), use_awaitable);
    if (v.failed()) co_return result<bool>{true, false};
    co_return result<bool>{false, v.str == "ok"};
}

boost::asio::awaitable<mentoring_store::result<bool>> mentoring_store::record_outcome(std::string relationship_id,
                                                                                   std::string outcome) {
    std::vector<std::string> keys{key::rel(relationship_id), key::counts};
    std::vector<std::string> args{outcome};
    auto v = co_await redis_->async_eval(ms::mentoring_outcome(), std::move(keys), std::move(args), use_awaitable);
    if (v.failed()) co_return result<bool>{true, false};
    co_return result<bool>{false, v.str == "ok"};
}

boost::asio::awaitable<mentoring_store::result<long long>> mentoring_store::mentor_gone(std::string mentor_id,
                                                                                     long long now_ms) {
    auto rels = co_await relationships_of(mentor_id);
    if (rels.unavailable) co_return result<long long>{true, 0};
    std::vector<std::string> keys{key::booked(mentor_id), key::counts};
    unsigned n = 0;
    for (auto& r : rels.value) {
        if (r.state != "active" || r.token_hash.empty()) continue;
        keys.push_back(key::rel(r.id));
        keys.push_back(key::pair(r.token_hash));
        ++n;
    }
    std::vector<std::string> args{std::to_string(now_ms), std::to_string(n)};
    auto v = co_await redis_->async_eval(ms::mentoring_mentor_gone(), std::move(keys), std::move(args), use_awaitable);
    if (v.failed()) co_return result<long long>{true, 0};
    co_return result<long long>{false, v.integer};
}

boost::asio::awaitable<mentoring_store::result<long long>> mentoring_store::token_failures(std::string address_hash) {
    std::vector<std::string> get{"GET", key::token_failures(address_hash)};
    auto v = co_await redis_->async_exec(std::move(get), use_awaitable);
    if (v.failed()) co_return result<long long>{true, 0};
    co_return result<long long>{false, v.is_nil() ? 0 : to_ll(v.str)};
}

boost::asio::awaitable<bool> mentoring_store::count_token_failure(std::string address_hash, long long window_s) {
    std::vector<std::string> keys{key::token_failures(address_hash)};
    std::vector<std::string> args{std::to_string(window_s)};
    auto v = co_await redis_->async_eval(ms::mentoring_token_failure(), std::move(keys), std::move(args),
                                         use_awaitable);
    co_return !v.failed();
}

boost::asio::awaitable<mentoring_store::result<std::map<std::string, long long>>> mentoring_store::counts() {
    std::vector<std::string> get{"HGETALL", key::counts};
    auto v = co_await redis_->async_exec(std::move(get), use_awaitable);
    result<std::map<std::string, long long>> out;
    if (v.failed()) {
        out.unavailable = true;
        co_return out;
    }
    for (auto& [k, n] : fields(v)) out.value[k] = to_ll(n);
    co_return out;
}

} // namespace peerline
