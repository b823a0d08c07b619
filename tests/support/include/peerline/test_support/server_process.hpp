// The real `peerline serve` process for one test, on a free loopback port,
// against a given Redis, with stdout and stderr captured to files so tests
// can read the logs (and check that nothing secret is in them).
#pragma once

#include "peerline/client/endpoint.hpp"
#include "peerline/test_support/child_process.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace peerline::test_support {

struct server_options {
    std::filesystem::path binary; // the peerline executable
    std::filesystem::path dir;    // logs and data-dir go here
    std::string redis_url;        // --redis; empty: the embedded Redis in DIR/data
    std::vector<std::string> extra_args;
    std::filesystem::path tls_cert; // with tls_key: --tls-cert/--tls-key, HTTPS/WSS
    std::filesystem::path tls_key;
    std::chrono::milliseconds ready_timeout = std::chrono::seconds(15);
};

class server_process {
  public:
    // Starts `binary serve --bind 127.0.0.1 --port P --redis URL --data-dir
    // DIR/data --password-hash-cost minimum [TLS] EXTRA...` and waits until
    // GET /healthz and GET /readyz answer 200 (listening, and Redis reached
    // for commands and pub/sub). Throws with the log tail if they do not.
    explicit server_process(server_options opts);
    // Stops a server still running (SIGTERM, then SIGKILL).
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    // Where clients connect (TLS enabled, any certificate accepted, when the
    // server runs with a certificate).
    const client::endpoint& endpoint() const noexcept { return endpoint_; }
    std::uint16_t port() const noexcept { return endpoint_.port; }
    // Where /metrics is served (--metrics-listen, plain HTTP, loopback).
    const client::endpoint& metrics_endpoint() const noexcept { return metrics_endpoint_; }
    const std::vector<std::string>& argv() const noexcept { return argv_; }

    bool alive() { return process_.running(); }
    void send_signal(int sig) { process_.send_signal(sig); }
    std::optional<exit_status> wait_for_exit(std::chrono::milliseconds timeout) {
        return process_.wait_for(timeout);
    }
    // SIGTERM, wait `grace`, then SIGKILL. Returns how it ended.
    exit_status stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

    std::filesystem::path stdout_file() const { return opts_.dir / "server.stdout.log"; }
    std::filesystem::path stderr_file() const { return opts_.dir / "server.stderr.log"; }
    std::filesystem::path data_dir() const { return opts_.dir / "data"; }
    std::string stdout_text() const;
    std::string stderr_text() const;
    // The last lines of both logs, for failure messages.
    std::string log_tail(std::size_t lines = 40) const;

  private:
    void wait_until_healthy();

    server_options opts_;
    client::endpoint endpoint_;
    client::endpoint metrics_endpoint_;
    std::vector<std::string> argv_;
    child_process process_;
};

} // namespace peerline::test_support
