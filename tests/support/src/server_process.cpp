// See server_process.hpp.
#include "peerline/test_support/server_process.hpp"

#include "peerline/client/http_client.hpp"
#include "peerline/test_support/files.hpp"
#include "peerline/test_support/ports.hpp"

#include <stdexcept>
#include <thread>

namespace peerline::test_support {

server_process::server_process(server_options opts) : opts_(std::move(opts)) {
    if (opts_.binary.empty()) {
        throw std::runtime_error("server_process: no peerline binary was built (is the `peerline` "
                                 "target defined in server/CMakeLists.txt?)");
    }
    std::filesystem::create_directories(data_dir());
    endpoint_.host = "127.0.0.1";
    endpoint_.port = free_tcp_port();
    metrics_endpoint_.host = "127.0.0.1";
    metrics_endpoint_.port = free_tcp_port();
    argv_ = {opts_.binary.string(),
             "serve",
             "--bind",
             "127.0.0.1",
             "--port",
             std::to_string(endpoint_.port),
             "--data-dir",
             data_dir().string(),
             "--password-hash-cost",
             "minimum",
             "--metrics-listen",
             "127.0.0.1:" + std::to_string(metrics_endpoint_.port)};
    // No URL: the server runs its own embedded Redis in the data directory.
    if (!opts_.redis_url.empty()) argv_.insert(argv_.end(), {"--redis", opts_.redis_url});
    if (!opts_.tls_cert.empty()) {
        argv_.insert(argv_.end(),
                     {"--tls-cert", opts_.tls_cert.string(), "--tls-key", opts_.tls_key.string()});
        endpoint_.tls.enabled = true; // any certificate: it is self-signed
    }
    argv_.insert(argv_.end(), opts_.extra_args.begin(), opts_.extra_args.end());

    spawn_options spawn;
    spawn.argv = argv_;
    spawn.stdout_file = stdout_file();
    spawn.stderr_file = stderr_file();
    process_ = child_process(spawn);
    wait_until_healthy();
}

server_process::~server_process() {
    if (process_.running())
        process_.stop(std::chrono::seconds(5));
}

void server_process::wait_until_healthy() {
    auto deadline = std::chrono::steady_clock::now() + opts_.ready_timeout;
    std::string last_problem = "no answer yet";
    while (true) {
        if (!process_.running()) {
            throw std::runtime_error("peerline serve exited during startup (" +
                                     process_.status()->describe() + "); log tail:\n" + log_tail());
        }
        try {
            // Listening is not enough: a node answers /healthz before its
            // Redis connections are up, and a test's first request would then
            // get 503. /readyz says both are (commands and pub/sub).
            auto res = client::http_get(endpoint_, "/healthz", {}, std::chrono::seconds(1));
            if (res.status == 200) {
                res = client::http_get(endpoint_, "/readyz", {}, std::chrono::seconds(1));
                if (res.status == 200)
                    return;
                last_problem = "GET /readyz answered " + std::to_string(res.status) + " " + res.body;
            } else {
                last_problem = "GET /healthz answered " + std::to_string(res.status) + " " + res.body;
            }
        } catch (const client::client_error& e) {
            last_problem = e.what();
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            process_.kill();
            throw std::runtime_error("peerline serve was not healthy within " +
                                     std::to_string(opts_.ready_timeout.count()) +
                                     " ms (last: " + last_problem + "); log tail:\n" + log_tail());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

exit_status server_process::stop(std::chrono::milliseconds grace) {
    return process_.stop(grace);
}

std::string server_process::stdout_text() const {
    return read_file(stdout_file());
}

std::string server_process::stderr_text() const {
    return read_file(stderr_file());
}

std::string server_process::log_tail(std::size_t lines) const {
    return "--- stdout ---\n" + tail_lines(stdout_text(), lines) + "\n--- stderr ---\n" +
           tail_lines(stderr_text(), lines);
}

} // namespace peerline::test_support
