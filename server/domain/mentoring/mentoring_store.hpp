// Owner of every mentoring key in Redis and of the scripts that change them
// (server/domain/mentoring/scripts/mentoring_*.lua, each passed every key it
// touches). Callers get typed results, never raw replies. All keys share
// the {pl:m} hash tag, so a Redis Cluster keeps the area in one slot.
//
// What is kept (docs/ARCHITECTURE.md, "Mentoring"): mentors (id <->
// username), cards and availability; per GP request or relationship,
// under the hash of the relationship token, its state and choices; the
// sealed notes only while the mentor they are for holds the offer; per
// relationship the mentor, the token hash, the plan and the bookings;
// counts. Nothing else about a GP.
//
// Every method is a coroutine completing on the caller's executor; a
// failed Redis call gives `unavailable`.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace peerline {
namespace redis {
class client;
}

class mentoring_store {
public:
    explicit mentoring_store(std::shared_ptr<redis::client> redis);

    template <class T>
    struct result {
        bool unavailable = false;
        T value{};
    };

    // --- Mentors -----------------------------------------------------------
    struct mentor {
        std::string id;
        std::string username;
        std::string card;         // JSON, "" before the mentor writes one
        std::string availability; // JSON, "" before the mentor publishes any
    };
    // Grants the capability; the mentor id (kept from an earlier grant).
    boost::asio::awaitable<result<std::string>> grant(std::string username);
    // Takes it away; the mentor id, "" if the listener never was a mentor.
    boost::asio::awaitable<result<std::string>> revoke(std::string username);
    // The id of a current mentor, "" if `username` is not one.
    boost::asio::awaitable<result<std::string>> mentor_id_of(std::string username);
    // Every current mentor.
    boost::asio::awaitable<result<std::vector<mentor>>> mentors();
    // One current mentor (nullopt: not a current mentor).
    boost::asio::awaitable<result<std::optional<mentor>>> find_mentor(std::string id);
    // Every username ever granted, with its mentor id (for the accounts list).
    boost::asio::awaitable<result<std::map<std::string, std::string>>> mentor_ids();
    boost::asio::awaitable<bool> put_card(std::string id, std::string card_json);
    boost::asio::awaitable<bool> put_availability(std::string id, std::string availability_json);

    // --- Requests ----------------------------------------------------------
    struct choice {
        std::string mentor_id;
        std::string note; // base64url sealed note, "" for none
    };
    enum class create_outcome { created, exists, unknown_mentor };
    boost::asio::awaitable<result<create_outcome>> create_request(std::string token_hash, std::vector<choice> choices,
                                                                  long long now_ms, long long expires_ms,
                                                                  unsigned plan_sessions);

    // Where a GP's request or relationship stands.
    struct pairing {
        std::string state; // offered | declined | active | ended | mentor_gone
        std::vector<std::string> choices;
        unsigned choice = 0; // 1-based while offered
        std::string request_id;
        long long expires_ms = 0;
        std::string relationship_id;
        unsigned sessions = 0; // planned (carried over after mentor_gone)
    };
    boost::asio::awaitable<result<std::optional<pairing>>> find_pairing(std::string token_hash);

    struct offered_request {
        std::string request_id;
        std::string note;
        long long offered_ms = 0;
        long long expires_ms = 0;
    };
    // The requests a mentor holds now, oldest first, with their note only.
    boost::asio::awaitable<result<std::vector<offered_request>>> requests_for(std::string mentor_id);

    enum class answer_outcome { accepted, passed, declined_all, stale };
    // The mentor's decline: the request passes on.
    boost::asio::awaitable<result<answer_outcome>> decline(std::string mentor_id, std::string request_id,
                                                           long long now_ms, long long next_expires_ms);
    // The mentor's accept: the relationship starts; its id in `relationship_id`.
    boost::asio::awaitable<result<answer_outcome>> accept(std::string mentor_id, std::string request_id,
                                                          long long now_ms, std::string plan_json,
                                                          std::string& relationship_id);
    // Passes on every offer whose time ran out by now_ms (at most `batch`);
    // how many were passed on.
    boost::asio::awaitable<result<unsigned>> expire_offers(long long now_ms, long long next_expires_ms,
                                                           unsigned batch = 100);

    // --- Relationships -----------------------------------------------------
    struct relationship {
        std::string id;
        std::string mentor_id;
        std::string state; // active | ended
        std::string plan;     // JSON
        std::string bookings; // JSON array, exactly as stored (compare-and-set)
        unsigned sessions = 0;
        long long started_ms = 0;
        std::string token_hash;
        bool outcome_given = false;
    };
    boost::asio::awaitable<result<std::optional<relationship>>> find_relationship(std::string id);
    boost::asio::awaitable<result<std::vector<relationship>>> relationships_of(std::string mentor_id);
    // Every booked time of a mentor, [start_ms, end_ms).
    boost::asio::awaitable<result<std::vector<std::pair<long long, long long>>>> booked_times(std::string mentor_id);

    enum class booking_outcome { ok, taken, changed, wrong_state };
    // Replaces the bookings read as `old_bookings` with `new_bookings`,
    // atomically refusing any overlap with the mentor's other bookings.
    boost::asio::awaitable<result<booking_outcome>> replace_bookings(const relationship& r, std::string new_bookings,
                                                                      long long longest_session_ms);

    // The mentor ends the relationship early; false in `value` if it is not
    // this mentor's active relationship.
    boost::asio::awaitable<result<bool>> end_relationship(const relationship& r, std::string mentor_id,
                                                          std::string reason, long long now_ms);
    // Counts the GP's answer once; false in `value` if already answered.
    boost::asio::awaitable<result<bool>> record_outcome(std::string relationship_id, std::string outcome);
    // The mentor lost the capability: their active relationships become
    // mentor_gone (the GP may ask another mentor, keeping the sessions not
    // yet held); how many.
    boost::asio::awaitable<result<long long>> mentor_gone(std::string mentor_id, long long now_ms);

    // --- Rate limiting of relationship tokens -------------------------------
    boost::asio::awaitable<result<long long>> token_failures(std::string address_hash);
    boost::asio::awaitable<bool> count_token_failure(std::string address_hash, long long window_s);

    // --- Counts -------------------------------------------------------------
    boost::asio::awaitable<result<std::map<std::string, long long>>> counts();

private:
    std::shared_ptr<redis::client> redis_;
};

} // namespace peerline
