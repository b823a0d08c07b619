// See redis_process.hpp.
#include "peerline/test_support/redis_process.hpp"

#include "peerline/test_support/files.hpp"
#include "peerline/test_support/ports.hpp"

#include <hiredis/hiredis.h>

#include <cstring>
#include <stdexcept>
#include <thread>

namespace peerline::test_support {

namespace {

const char* const redis_binary = "/usr/bin/redis-server";
constexpr std::chrono::seconds start_timeout{10};

} // namespace

bool redis_answers(std::uint16_t port, std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (c == nullptr)
        return false;
    bool ok = false;
    if (c->err == 0 && redisSetTimeout(c, tv) == REDIS_OK) {
        auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
        ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS &&
             std::strcmp(reply->str, "PONG") == 0;
        if (reply)
            freeReplyObject(reply);
    }
    redisFree(c);
    return ok;
}

redis_process::redis_process(std::filesystem::path dir, std::uint16_t port)
    : dir_(std::move(dir)), port_(port != 0 ? port : free_tcp_port()) {
    start();
}

redis_process::~redis_process() {
    if (process_.running())
        process_.kill();
}

void redis_process::start() {
    if (process_.running())
        throw std::logic_error("redis_process::start: already running");
    std::filesystem::create_directories(dir_);
    spawn_options opts;
    // No persistence at all: every test starts from an empty database, and
    // nothing the server wrote can outlive the test on disk.
    opts.argv = {redis_binary,
                 "--port",
                 std::to_string(port_),
                 "--bind",
                 "127.0.0.1",
                 "--dir",
                 dir_.string(),
                 "--save",
                 "",
                 "--appendonly",
                 "no",
                 "--daemonize",
                 "no"};
    opts.stdout_file = log_file();
    opts.stderr_file = log_file();
    opts.append_output = true; // keep the log of earlier runs across restarts
    process_ = child_process(opts);
    auto deadline = std::chrono::steady_clock::now() + start_timeout;
    while (!redis_answers(port_)) {
        if (!process_.running()) {
            throw std::runtime_error("redis-server on port " + std::to_string(port_) + " exited (" +
                                     process_.status()->describe() + "):\n" +
                                     tail_lines(read_file(log_file()), 20));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            process_.kill();
            throw std::runtime_error("redis-server on port " + std::to_string(port_) +
                                     " did not answer PING within 10 s:\n" +
                                     tail_lines(read_file(log_file()), 20));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

exit_status redis_process::stop() {
    return process_.stop(std::chrono::seconds(5));
}

bool redis_process::running() {
    return process_.running();
}

std::string redis_process::url() const {
    return "redis://127.0.0.1:" + std::to_string(port_);
}

} // namespace peerline::test_support
