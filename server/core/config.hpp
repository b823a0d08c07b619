// The server's configuration, filled from flags, PEERLINE_* environment
// variables and an optional config file (see server/cli.cpp and README.md).
// Every limit has a safe default here, where it can be seen.
#pragma once

#include "peerline/protocol/limits.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace peerline {

// Where Redis is: redis://host:port or unix:///path/to/socket.
struct redis_address {
    std::string host;       // empty when unix_path is set
    std::uint16_t port = 6379;
    std::string unix_path;  // empty for TCP

    // Parses a URL; nullopt if it is not one of the two accepted forms.
    static std::optional<redis_address> parse(const std::string& url);
    std::string to_string() const;
};

struct server_config {
    // Network
    std::string bind = "127.0.0.1";
    std::uint16_t port = 8080;
    // Where Prometheus scrapes /metrics: "[HOST:]PORT" (HOST defaults to
    // 127.0.0.1). Empty: /metrics is served nowhere. The service port never
    // serves it: live load is for operators, not for anyone who can reach
    // the service (issue 17).
    std::string metrics_listen;
    unsigned threads = 0; // 0 = one I/O thread per core
    std::string tls_cert;
    std::string tls_key;
    // Extra allowed WebSocket origins; the server's own origins are always allowed.
    std::vector<std::string> allowed_origins;
    std::string web_root; // empty = the built-in placeholder page
    // Proxies whose word on the client's address is taken: addresses or CIDR
    // ranges (like nginx's set_real_ip_from). From them, X-Forwarded-For is
    // read, or with proxy_protocol a PROXY v2 header is required; from
    // anyone else neither is ever believed.
    std::vector<std::string> trusted_proxies;
    bool proxy_protocol = false;

    // Storage
    std::string data_dir = ".peerline-data";
    std::optional<std::string> redis_url; // absent = embedded redis-server
    std::string redis_server_binary = "redis-server";

    // Identity of this node among several sharing one Redis (random if empty).
    std::string node_id;

    bool demo = false;
    // Demo mode's root key file (created if missing; default <data-dir>/demo-org-root.key).
    std::string demo_org_key_file;
    // The organisation's root public key (base64url), to check certificate
    // and revocation-list uploads early; clients check them again regardless.
    std::string org_public_key;
    std::string password_hash_cost = "interactive"; // interactive | moderate | minimum (tests)

    // Per-connection limits
    protocol::limits limits;
    std::size_t max_outgoing_bytes = 1024 * 1024; // queued for one slow reader
    std::size_t max_http_body_bytes = 16 * 1024;
    // An HTTP request (head and body) must arrive within this; a partial one
    // is then answered 408 and closed, an idle keep-alive connection closed.
    std::chrono::seconds http_request_timeout{30};
    std::chrono::seconds hello_timeout{10};
    std::chrono::seconds idle_timeout{60};
    // Per client address: connections that have not authenticated (HTTP
    // requests, WebSockets before a valid hello) -- what slow-request attacks
    // hold -- and, much higher, authenticated WebSocket sessions (many GPs
    // share one practice or NHS network address). docs/OPERATIONS.md sizes both.
    unsigned max_connections_per_address = 64;
    unsigned max_sessions_per_address = 4096;
    // Open connections on this node; 0: the open-file limit less a reserve
    // (64 + 4 per I/O thread, app.cpp), so the node never runs out of files
    // for Redis, the listening socket, its event loops or its logs.
    unsigned max_connections = 0;

    // Sessions and logins
    std::chrono::seconds staff_session_ttl{12 * 3600};
    std::chrono::seconds gp_session_ttl{4 * 3600};
    // Failures per account from clients without its device token (and per
    // device token) before each further attempt waits a growing delay:
    // login_delay, doubling per failure, at most login_window
    // (domain/sessions/login_throttle.hpp).
    unsigned login_attempts_per_account = 5;
    // Failures per client address (any account) before it is refused for the
    // rest of the window.
    unsigned login_attempts_per_address = 30;
    std::chrono::seconds login_window{15 * 60};
    std::chrono::seconds login_delay{30};
    // How long a device token (given at each successful sign-in) is known.
    std::chrono::seconds login_device_ttl{30 * 24 * 3600};

    // Matching, rota and the listener's wellbeing
    std::chrono::milliseconds offer_timeout{30000};
    bool missed_offer_sets_away = true;
    std::chrono::seconds wrapup{120};            // pause after each conversation
    unsigned max_conversations_per_shift = 0;    // 0 = no limit
    std::chrono::seconds max_shift_time{0};      // time available per shift stretch; 0 = no limit
    std::chrono::seconds max_wait{30 * 60};      // then signposting instead of waiting on
    std::chrono::milliseconds urgent_boost{10 * 60 * 1000}; // urgent goes first unless 10 min older
    std::string timezone = "Europe/London";
    // Continuity: how long a code stays valid, and how long its listener is
    // preferred (if on shift) before anyone else is offered the request.
    std::chrono::hours continuity_ttl{24 * 365};
    std::chrono::seconds continuity_preference{300};
    // JSON file with the 24/7 alternatives shown to GPs
    // ([{"name":..,"contact":..,"hours":..}]); empty = built-in list.
    std::string signposting_file;

    // Presence: how often heartbeats are written and when a silent listener
    // or node counts as gone.
    std::chrono::seconds heartbeat_interval{5};
    std::chrono::seconds presence_timeout{20};
    // How long a dropped client keeps its place or conversations to resume
    // (0 = no resume). After a node dies, at most the presence timeout.
    std::chrono::seconds resume_grace{60};

    // Graceful shutdown: how long clients get after the shutdown notice.
    std::chrono::milliseconds shutdown_grace{2000};

    std::string log_level = "info";

    // Tests only: PUT /api/test/clock may move this node's clock (core/clock.hpp).
    // Refused at start-up unless the node binds a loopback address.
    bool test_clock = false;

    // Peer mentoring (issue 15): how long each chosen mentor has to answer a
    // request, and the series plan a new relationship gets.
    std::chrono::hours mentoring_offer{72};
    unsigned mentoring_sessions = 4;          // 1..12
    unsigned mentoring_session_minutes = 120; // 15..240
    unsigned mentoring_min_months = 6;        // first to last session, at least...
    unsigned mentoring_max_months = 12;       // ...and at most (1..24)
    unsigned mentoring_min_gap_days = 14;     // between sessions
};

} // namespace peerline
