// See redis_query.hpp.
#include "peerline/test_support/redis_query.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <stdexcept>

namespace peerline::test_support {

namespace {

void flatten(const redisReply* r, std::vector<std::string>& out) {
    switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        out.emplace_back(r->str, r->len);
        break;
    case REDIS_REPLY_INTEGER:
        out.push_back(std::to_string(r->integer));
        break;
    case REDIS_REPLY_ARRAY: // hiredis 0.14 speaks RESP2 only: no maps or sets
        for (std::size_t i = 0; i < r->elements; ++i)
            flatten(r->element[i], out);
        break;
    default: // nil
        break;
    }
}

} // namespace

void redis_connection::context_deleter::operator()(void* c) const noexcept {
    redisFree(static_cast<redisContext*>(c));
}

redis_connection::redis_connection(std::uint16_t port, std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (c == nullptr)
        throw std::runtime_error("redis connect: out of memory");
    ctx_.reset(c);
    if (c->err != 0) {
        throw std::runtime_error("redis connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                 c->errstr);
    }
    redisSetTimeout(c, tv);
}

redis_connection::~redis_connection() = default;

std::vector<std::string> redis_connection::command(const std::vector<std::string>& argv) {
    auto* c = static_cast<redisContext*>(ctx_.get());
    std::vector<const char*> args;
    std::vector<std::size_t> lens;
    for (const auto& a : argv) {
        args.push_back(a.data());
        lens.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data()));
    std::string name = argv.empty() ? std::string("(none)") : argv.front();
    if (reply == nullptr)
        throw std::runtime_error("redis " + name + ": " + c->errstr);
    std::unique_ptr<redisReply, void (*)(void*)> guard(reply, freeReplyObject);
    if (reply->type == REDIS_REPLY_ERROR) {
        throw std::runtime_error("redis " + name + ": " + std::string(reply->str, reply->len));
    }
    std::vector<std::string> out;
    flatten(reply, out);
    return out;
}

std::vector<redis_entry> dump_all(redis_connection& redis) {
    std::vector<redis_entry> out;
    for (int db = 0; db < 16; ++db) {
        redis.command({"SELECT", std::to_string(db)});
        for (auto& key : redis.command({"KEYS", "*"})) {
            redis_entry e;
            e.key = key;
            auto type = redis.command({"TYPE", key});
            e.type = type.empty() ? "none" : type.front();
            if (e.type == "string") {
                e.values = redis.command({"GET", key});
            } else if (e.type == "hash") {
                e.values = redis.command({"HGETALL", key});
            } else if (e.type == "list") {
                e.values = redis.command({"LRANGE", key, "0", "-1"});
            } else if (e.type == "set") {
                e.values = redis.command({"SMEMBERS", key});
            } else if (e.type == "zset") {
                e.values = redis.command({"ZRANGE", key, "0", "-1", "WITHSCORES"});
            } else if (e.type == "stream") {
                e.values = redis.command({"XRANGE", key, "-", "+"});
            }
            // A key that expired between KEYS and TYPE is "none": nothing to read.
            out.push_back(std::move(e));
        }
    }
    redis.command({"SELECT", "0"});
    return out;
}

} // namespace peerline::test_support
