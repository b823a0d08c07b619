// An owned copy of a Redis reply. hiredis replies live only for the duration
// of their callback, so the client converts each one into a `value` that the
// caller may keep and move across threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct redisReply;

namespace peerline::redis {

struct value {
    enum class kind { nil, integer, string, status, array, error, unavailable };

    kind type = kind::nil;
    long long integer = 0;
    std::string str;             // string, status and error text
    std::vector<value> elements; // array

    // Redis itself answered with an error (-ERR ...).
    bool is_error() const noexcept { return type == kind::error; }
    // No answer: not connected, connection lost, or the client stopped.
    bool is_unavailable() const noexcept { return type == kind::unavailable; }
    // Either of the above: the command did not succeed.
    bool failed() const noexcept { return is_error() || is_unavailable(); }
    bool is_nil() const noexcept { return type == kind::nil; }
    // Redis is up but still loading its data after a start (-LOADING ...).
    bool is_loading() const noexcept { return is_error() && str.rfind("LOADING", 0) == 0; }

    static value from_reply(const redisReply* r);
    static value make_unavailable(std::string why);
};

} // namespace peerline::redis
