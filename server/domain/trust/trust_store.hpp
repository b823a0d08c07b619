// Listener trust material in Redis, public by nature (the server only stores
// and hands it out; docs/CRYPTO.md): the one owner of pl:enrolment:*,
// pl:certificate:*, pl:directory, pl:revocation-list and
// pl:revocation-delegation, and the caller of
// domain/trust/scripts/revocation_list_replace.lua. The checks of what is
// stored are domain/trust.hpp's.
//
// Every method is a coroutine on the caller's executor. An empty optional,
// or false, means Redis did not answer: nothing was changed or decided.
#pragma once

#include "redis/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace peerline {

class trust_store {
public:
    template <class T>
    using awaitable = boost::asio::awaitable<T>;

    explicit trust_store(redis::client& redis) : redis_(redis) {}

    // A listener's pending enrolment request and current certificate (each
    // empty when absent). The certificate counts only while
    // `certificate_enrolment` is the enrolment request stored now.
    struct listener_material {
        std::string enrolment_request;
        std::string certificate;
        std::string certificate_enrolment; // the request it was made for
        std::string serial;
        std::uint64_t not_after_s = 0;
    };
    awaitable<std::optional<listener_material>> listener(std::string username);
    awaitable<bool> submit_enrolment(std::string username, std::string request, std::uint64_t now_s);
    awaitable<bool> store_certificate(std::string username, std::string certificate, std::string enrolment,
                                      std::uint64_t serial, std::uint64_t not_after_s);

    // What the organisation has published (each text empty when absent).
    struct published_state {
        std::string revocation_list;
        std::uint64_t list_number = 0;
        std::uint64_t list_next_update_s = 0;
        std::string delegation;
        std::string directory;
        std::uint64_t directory_number = 0;
    };
    awaitable<std::optional<published_state>> published();

    // Replace the stored directory or revocation list only if `number` is
    // higher than the stored one (revocation_list_replace.lua, atomically):
    // true replaced, false a same-or-higher number is already there.
    awaitable<std::optional<bool>> replace_directory(std::string directory, std::uint64_t number);
    awaitable<std::optional<bool>> replace_revocation_list(std::string list, std::uint64_t number,
                                                           std::uint64_t next_update_s);
    awaitable<bool> store_delegation(std::string delegation);

private:
    awaitable<std::optional<bool>> replace(std::string key, std::string text, std::uint64_t number,
                                           std::uint64_t next_update_s);

    redis::client& redis_;
};

} // namespace peerline
