#include "redis/value.hpp"

#include <hiredis/hiredis.h>

namespace peerline::redis {

value value::from_reply(const redisReply* r) {
    value v;
    if (r == nullptr) return make_unavailable("connection lost");
    switch (r->type) {
    case REDIS_REPLY_NIL: v.type = kind::nil; break;
    case REDIS_REPLY_INTEGER:
        v.type = kind::integer;
        v.integer = r->integer;
        break;
    case REDIS_REPLY_STRING:
        v.type = kind::string;
        v.str.assign(r->str, r->len);
        break;
    case REDIS_REPLY_STATUS:
        v.type = kind::status;
        v.str.assign(r->str, r->len);
        break;
    case REDIS_REPLY_ERROR:
        v.type = kind::error;
        v.str.assign(r->str, r->len);
        break;
    case REDIS_REPLY_ARRAY:
        v.type = kind::array;
        v.elements.reserve(r->elements);
        for (std::size_t i = 0; i < r->elements; ++i)
            v.elements.push_back(from_reply(r->element[i]));
        break;
    default: v.type = kind::nil; break;
    }
    return v;
}

value value::make_unavailable(std::string why) {
    value v;
    v.type = kind::unavailable;
    v.str = std::move(why);
    return v;
}

} // namespace peerline::redis
