// The documented production layout with real components: Debian's nginx
// terminating TLS (a certificate made in the test) in front of two nodes
// sharing one Redis, round robin, with the nodes trusting nginx's
// X-Forwarded-For (--trusted-proxy; docs/OPERATIONS.md). Two real clients
// connect to nginx from different loopback addresses (127.0.0.2 and
// 127.0.0.3); nginx reaches the nodes from 127.0.0.5. The per-address limits
// must apply to each client, on both nodes, and never to nginx.
#include "fixture.hpp"
#include "raw_connection.hpp"

#include "peerline/test_support/files.hpp"
#include "peerline/test_support/ports.hpp"

#include <catch2/catch.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/time.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

using namespace peerline::integration;
namespace fs = std::filesystem;

namespace {

const std::string nginx_binary = "/usr/sbin/nginx";
const std::string nginx_address = "127.0.0.5"; // nginx's side towards the nodes
const std::string client_x = "127.0.0.2", client_y = "127.0.0.3";

// One TLS connection to nginx from a chosen address (blocking, with
// socket timeouts, so nothing waits unbounded).
class tls_connection {
  public:
    tls_connection(std::uint16_t port, const std::string& from) {
        ctx_ = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr); // the test's self-signed certificate
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in local{}, remote{};
        local.sin_family = remote.sin_family = AF_INET;
        ::inet_pton(AF_INET, from.c_str(), &local.sin_addr);
        ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
        remote.sin_port = htons(port);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
            ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0)
            throw std::runtime_error("cannot connect to nginx from " + from);
        ssl_ = SSL_new(ctx_);
        SSL_set_fd(ssl_, fd_);
        SSL_set_tlsext_host_name(ssl_, "localhost");
        if (SSL_connect(ssl_) != 1) throw std::runtime_error("TLS handshake with nginx failed");
    }
    ~tls_connection() {
        if (ssl_) SSL_free(ssl_);
        if (fd_ >= 0) ::close(fd_);
        SSL_CTX_free(ctx_);
    }
    tls_connection(const tls_connection&) = delete;
    tls_connection& operator=(const tls_connection&) = delete;

    // Sends a request and returns the response head ("" if the connection ended first).
    std::string exchange(const std::string& request) {
        if (SSL_write(ssl_, request.data(), static_cast<int>(request.size())) <= 0) return {};
        std::string got;
        char buf[4096];
        while (got.find("\r\n\r\n") == std::string::npos) {
            int n = SSL_read(ssl_, buf, sizeof buf); // bounded by SO_RCVTIMEO
            if (n <= 0) return got;
            got.append(buf, static_cast<std::size_t>(n));
        }
        return got;
    }

  private:
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    int fd_ = -1;
};

std::string websocket_upgrade() {
    return "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
}

std::string failed_login(int n) {
    std::string body = R"({"username":"nobody-)" + std::to_string(n) + R"(","password":"wrong"})";
    return "POST /api/login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
           "Content-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

// nginx in the foreground as a child of the test, everything in `dir`.
struct nginx_process {
    nginx_process(const fs::path& dir, const certificate& cert, std::uint16_t node_a, std::uint16_t node_b)
        : port(ts::free_tcp_port()) {
        fs::create_directories(dir / "tmp");
        std::ofstream(dir / "nginx.conf")
            << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
            << "error_log " << (dir / "error.log").string() << " info;\n"
            << "pid " << (dir / "nginx.pid").string() << ";\n"
            << "events { worker_connections 256; }\n"
            << "http {\n  access_log off;\n"
            << "  client_body_temp_path " << (dir / "tmp").string() << ";\n"
            << "  proxy_temp_path " << (dir / "tmp").string() << ";\n"
            << "  fastcgi_temp_path " << (dir / "tmp").string() << ";\n"
            << "  uwsgi_temp_path " << (dir / "tmp").string() << ";\n"
            << "  scgi_temp_path " << (dir / "tmp").string() << ";\n"
            << "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
            << "  upstream peerline_nodes { server 127.0.0.1:" << node_a << "; server 127.0.0.1:" << node_b
            << "; }\n"
            << "  server {\n    listen 127.0.0.1:" << port << " ssl;\n"
            << "    ssl_certificate " << cert.cert.string() << ";\n"
            << "    ssl_certificate_key " << cert.key.string() << ";\n"
            << "    location / {\n      proxy_pass http://peerline_nodes;\n      proxy_http_version 1.1;\n"
            << "      proxy_bind " << nginx_address << ";\n"
            << "      proxy_set_header Host $host;\n"
            << "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            << "      proxy_set_header Upgrade $http_upgrade;\n"
            << "      proxy_set_header Connection $connection_upgrade;\n"
            << "      proxy_read_timeout 120s;\n    }\n  }\n}\n";
        ts::spawn_options so;
        so.argv = {nginx_binary, "-p", dir.string(), "-e", (dir / "error.log").string(), "-c",
                   (dir / "nginx.conf").string()};
        so.stdout_file = dir / "stdout.log";
        so.stderr_file = dir / "stderr.log";
        process = ts::child_process(so);
        // Ready when it accepts connections (bounded).
        auto accepts = [&] {
            try {
                raw_connection probe(tc::endpoint{"127.0.0.1", port, {}});
                return true;
            } catch (const std::exception&) {
                return false;
            }
        };
        if (!ts::eventually([&] { return accepts() || !process.running(); }, 10s) || !process.running())
            throw std::runtime_error("nginx did not start: " + ts::read_file(dir / "error.log"));
    }
    std::uint16_t port;
    ts::child_process process;
};

int status_of_head(const std::string& head) { return status_of(head); }

} // namespace

TEST_CASE("behind nginx terminating TLS, both nodes see and limit the real clients, not nginx",
          "[proxy][nginx]") {
    REQUIRE(fs::exists(nginx_binary)); // scripts/install-deps installs Debian's nginx
    std::vector<std::string> args{"--trusted-proxy", nginx_address, "--max-connections-per-address", "2",
                                  "--login-attempts-per-address", "2", "--hello-timeout-s", "60"};
    peerline_stack s({args});
    ts::server_options second;
    second.binary = peerline_binary();
    second.dir = s.dir / "server-b";
    second.redis_url = s.redis.url();
    second.extra_args = args;
    ts::server_process node_b(second);

    fs::create_directories(s.dir / "nginx");
    auto cert = make_self_signed_certificate(s.dir / "nginx");
    nginx_process nginx(s.dir / "nginx", cert, s.server->port(), node_b.port());

    SECTION("the failed-login limit counts each client, whichever node answers") {
        // Round robin: X's attempts alternate between the nodes, and both
        // count them under X's address (shared in Redis).
        int n = 0;
        auto login = [&](const std::string& from) {
            tls_connection c(nginx.port, from);
            auto head = c.exchange(failed_login(++n));
            INFO(from << ": " << head);
            return status_of_head(head);
        };
        CHECK(login(client_x) == 401);
        CHECK(login(client_x) == 401);
        CHECK(login(client_x) == 429);
        CHECK(login(client_x) == 429);
        // Another client behind the same nginx is not locked out.
        CHECK(login(client_y) == 401);
    }
    SECTION("the connection cap holds each client to its own share on each node") {
        // WebSockets that have not said hello count as unauthenticated: two
        // per client per node. X's first four reach the two nodes in turn.
        std::vector<std::unique_ptr<tls_connection>> held;
        auto open_ws = [&](const std::string& from) {
            held.push_back(std::make_unique<tls_connection>(nginx.port, from));
            auto head = held.back()->exchange(websocket_upgrade());
            INFO(from << ": " << head);
            return status_of_head(head);
        };
        for (int i = 0; i < 4; ++i) CHECK(open_ws(client_x) == 101);
        // Both nodes now hold X's two: the fifth is refused by whichever node gets it.
        CHECK(open_ws(client_x) == 503);
        // Y, behind the same nginx, is not affected, although every connection
        // the nodes have comes from nginx's one address.
        CHECK(open_ws(client_y) == 101);
        CHECK(open_ws(client_y) == 101);
    }
}
