#include "redis/embedded_redis.hpp"

#include "core/log.hpp"
#include "redis/sync_client.hpp"

#include <csignal>
#include <cstring>
#include <filesystem>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <vector>

extern char** environ;

namespace peerline::redis {

namespace fs = std::filesystem;

embedded_redis::embedded_redis(std::string binary, std::string data_dir)
    : binary_(std::move(binary)), data_dir_(std::move(data_dir)) {
    fs::create_directories(data_dir_);
    fs::permissions(data_dir_, fs::perms::owner_all, fs::perm_options::replace);
    data_dir_ = fs::canonical(data_dir_).string();
    socket_path_ = data_dir_ + "/redis.sock";
    // sockaddr_un holds 108 bytes including the terminating NUL.
    if (socket_path_.size() > 100)
        throw std::runtime_error("data directory path too long for a Unix socket: " + data_dir_);
}

embedded_redis::~embedded_redis() { stop(); }

redis_address embedded_redis::address() const {
    redis_address a;
    a.unix_path = socket_path_;
    return a;
}

pid_t embedded_redis::spawn() {
    std::vector<std::string> args = {
        binary_,         "--port",          "0",         "--unixsocket",  socket_path_,
        "--unixsocketperm", "700",          "--dir",     data_dir_,       "--appendonly",
        "yes",           "--appendfsync",   "everysec",  "--save",        "",
        "--daemonize",   "no",              "--logfile", data_dir_ + "/redis.log",
        "--protected-mode", "yes"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Its own process group: a Ctrl-C or a group signal meant for peerline
    // must not kill Redis before peerline has shut down cleanly; stop() ends it.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, binary_.c_str(), nullptr, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        throw std::runtime_error("cannot start " + binary_ + " (is Debian's redis-server installed?): " +
                                 std::strerror(rc));
    return pid;
}

void embedded_redis::start(std::chrono::milliseconds timeout) {
    std::error_code ignored;
    fs::remove(socket_path_, ignored); // a stale socket from a crash
    {
        std::lock_guard lock(mutex_);
        pid_ = spawn();
    }
    log::info("embedded_redis_started", {{"socket", socket_path_}});
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!ping(address(), std::chrono::milliseconds(200))) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("redis-server exited at start-up; see " + data_dir_ +
                                     "/redis.log");
        }
        if (std::chrono::steady_clock::now() > deadline) {
            stop();
            throw std::runtime_error("redis-server did not answer within the start-up timeout");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    supervisor_ = std::thread([this] { supervise(); });
}

// Runs on its own thread: waits for the child, restarts it unless stopping.
void embedded_redis::supervise() {
    auto backoff = std::chrono::milliseconds(200);
    for (;;) {
        pid_t pid;
        {
            std::lock_guard lock(mutex_);
            pid = pid_;
        }
        if (pid <= 0) return;
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        std::unique_lock lock(mutex_);
        pid_ = -1;
        if (stopping_) {
            stopped_cv_.notify_all();
            return;
        }
        log::error("embedded_redis_exited", {{"status", status}, {"restart_in_ms", backoff.count()}});
        stopped_cv_.wait_for(lock, backoff, [this] { return stopping_; });
        if (stopping_) return;
        try {
            pid_ = spawn();
            log::info("embedded_redis_restarted", {{"socket", socket_path_}});
        } catch (const std::exception& e) {
            log::error("embedded_redis_restart_failed", {{"error", e.what()}});
            return;
        }
        backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
    }
}

void embedded_redis::stop() {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    if (pid_ <= 0 && !supervisor_.joinable()) return; // never started, or stopped
    stopped_cv_.notify_all();
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        if (supervisor_.joinable()) {
            if (!stopped_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return pid_ <= 0; }) &&
                pid_ > 0)
                ::kill(pid_, SIGKILL);
        } else {
            int status = 0;
            waitpid(pid_, &status, 0);
            pid_ = -1;
        }
    }
    lock.unlock();
    if (supervisor_.joinable()) supervisor_.join();
    log::info("embedded_redis_stopped");
}

} // namespace peerline::redis
