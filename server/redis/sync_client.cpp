#include "redis/sync_client.hpp"

#include <hiredis/hiredis.h>

#include <stdexcept>

namespace peerline::redis {

sync_client::sync_client(const redis_address& address, std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ctx_ = address.unix_path.empty()
               ? redisConnectWithTimeout(address.host.c_str(), address.port, tv)
               : redisConnectUnixWithTimeout(address.unix_path.c_str(), tv);
    if (ctx_ == nullptr || ctx_->err) {
        std::string why = ctx_ ? ctx_->errstr : "out of memory";
        if (ctx_) redisFree(ctx_);
        ctx_ = nullptr;
        throw std::runtime_error("cannot connect to Redis at " + address.to_string() + ": " + why);
    }
    redisSetTimeout(ctx_, tv);
}

sync_client::~sync_client() {
    if (ctx_) redisFree(ctx_);
}

value sync_client::exec(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> argvlen;
    for (auto& a : args) {
        argv.push_back(a.data());
        argvlen.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), argvlen.data()));
    if (reply == nullptr) return value::make_unavailable(ctx_->errstr);
    value v = value::from_reply(reply);
    freeReplyObject(reply);
    return v;
}

value sync_client::eval(const script& s, const std::vector<std::string>& keys,
                        const std::vector<std::string>& args) {
    std::vector<std::string> cmd{"EVALSHA", s.sha1, std::to_string(keys.size())};
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    cmd.insert(cmd.end(), args.begin(), args.end());
    value v = exec(cmd);
    if (v.is_error() && v.str.rfind("NOSCRIPT", 0) == 0) {
        value loaded = exec({"SCRIPT", "LOAD", std::string(s.source)});
        if (loaded.failed()) return loaded;
        v = exec(cmd);
    }
    return v;
}

bool ping(const redis_address& address, std::chrono::milliseconds timeout) {
    try {
        sync_client c(address, timeout);
        auto v = c.exec({"PING"});
        return v.type == value::kind::status && v.str == "PONG";
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace peerline::redis
