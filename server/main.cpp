// The `peerline` command: `serve` runs a node; `admin` manages accounts.
// Options come from flags, PEERLINE_* environment variables and an optional
// TOML/INI config file (--config), in that order of precedence.
#include "admin_cli.hpp"
#include "app.hpp"
#include "org_cli.hpp"
#include "release_cli.hpp"
#include "core/config.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

using namespace peerline;

namespace {

void add_serve_options(CLI::App& serve, server_config& cfg, std::optional<std::string>& redis_url,
                       unsigned& hello_s, unsigned& idle_s, unsigned& offer_ms,
                       unsigned& staff_ttl_s, unsigned& gp_ttl_s) {
    serve.set_config("--config", "", "Read options from a TOML or INI file");
    auto env = [](CLI::Option* o, const char* name) { o->envname(name); };
    env(serve.add_option("--bind", cfg.bind, "Address to listen on")->capture_default_str(),
        "PEERLINE_BIND");
    env(serve.add_option("--port", cfg.port, "Port for HTTP(S) and WebSocket (0 = any free port)")
            ->capture_default_str(),
        "PEERLINE_PORT");
    env(serve.add_option("--metrics-listen", cfg.metrics_listen,
                         "[HOST:]PORT serving Prometheus /metrics (HOST 127.0.0.1 unless given); "
                         "unset: /metrics is not served")
            ->capture_default_str(),
        "PEERLINE_METRICS_LISTEN");
    env(serve.add_option("--threads", cfg.threads, "I/O threads (0 = one per core)")
            ->capture_default_str(),
        "PEERLINE_THREADS");
    env(serve.add_option("--data-dir", cfg.data_dir, "Directory for the embedded Redis")
            ->capture_default_str(),
        "PEERLINE_DATA_DIR");
    env(serve.add_option("--redis", redis_url,
                         "External Redis: redis://host:port or unix:///path (default: embedded)"),
        "PEERLINE_REDIS");
    env(serve.add_option("--redis-server-binary", cfg.redis_server_binary,
                         "redis-server to run for the embedded default")
            ->capture_default_str(),
        "PEERLINE_REDIS_SERVER_BINARY");
    env(serve.add_option("--tls-cert", cfg.tls_cert, "PEM certificate chain (enables HTTPS/WSS)"),
        "PEERLINE_TLS_CERT");
    env(serve.add_option("--tls-key", cfg.tls_key, "PEM private key"), "PEERLINE_TLS_KEY");
    env(serve.add_option("--allowed-origin", cfg.allowed_origins,
                         "Extra origin allowed to open WebSockets (repeatable)"),
        "PEERLINE_ALLOWED_ORIGINS");
    env(serve.add_option("--trusted-proxy", cfg.trusted_proxies,
                         "Address or CIDR range of a proxy whose X-Forwarded-For (or PROXY header, "
                         "with --proxy-protocol) names the client (repeatable, or comma-separated)")
            ->delimiter(','),
        "PEERLINE_TRUSTED_PROXIES");
    env(serve.add_flag("--proxy-protocol", cfg.proxy_protocol,
                       "Connections from trusted proxies start with a PROXY protocol v2 header"),
        "PEERLINE_PROXY_PROTOCOL");
    env(serve.add_option("--web-root", cfg.web_root, "Directory of the built web client"),
        "PEERLINE_WEB_ROOT");
    env(serve.add_option("--node-id", cfg.node_id, "This node's id among several (default random)"),
        "PEERLINE_NODE_ID");
    env(serve.add_flag("--demo", cfg.demo,
                       "Demo: a demo listener, and a demo root key that certifies enrolments at once"),
        "PEERLINE_DEMO");
    env(serve.add_option("--demo-org-key", cfg.demo_org_key_file,
                         "Demo root key file (default <data-dir>/demo-org-root.key; created if missing)"),
        "PEERLINE_DEMO_ORG_KEY");
    env(serve.add_option("--org-public-key", cfg.org_public_key,
                         "The organisation's root public key (base64url) to check uploads against"),
        "PEERLINE_ORG_PUBLIC_KEY");
    env(serve.add_option("--password-hash-cost", cfg.password_hash_cost,
                         "Argon2id cost: interactive, moderate or minimum (tests only)")
            ->capture_default_str(),
        "PEERLINE_PASSWORD_HASH_COST");
    env(serve.add_option("--max-control-frame", cfg.limits.max_control_frame_bytes,
                         "Largest JSON control frame, bytes")
            ->capture_default_str(),
        "PEERLINE_MAX_CONTROL_FRAME");
    env(serve.add_option("--max-relay-frame", cfg.limits.max_relay_frame_bytes,
                         "Largest binary relay frame, bytes")
            ->capture_default_str(),
        "PEERLINE_MAX_RELAY_FRAME");
    env(serve.add_option("--max-outgoing-bytes", cfg.max_outgoing_bytes,
                         "Bytes queued for one slow reader before it is disconnected")
            ->capture_default_str(),
        "PEERLINE_MAX_OUTGOING_BYTES");
    env(serve.add_option("--max-connections-per-address", cfg.max_connections_per_address,
                         "Concurrent connections from one client address that have not authenticated")
            ->capture_default_str(),
        "PEERLINE_MAX_CONNECTIONS_PER_ADDRESS");
    env(serve.add_option("--max-sessions-per-address", cfg.max_sessions_per_address,
                         "Concurrent authenticated WebSocket sessions from one client address")
            ->capture_default_str(),
        "PEERLINE_MAX_SESSIONS_PER_ADDRESS");
    env(serve.add_option("--max-connections", cfg.max_connections,
                         "Open connections on this node; beyond it a new connection gets 503 and is "
                         "closed (0: the open-file limit less a reserve of 64 + 4 per I/O thread)")
            ->capture_default_str(),
        "PEERLINE_MAX_CONNECTIONS");
    env(serve.add_option_function<unsigned>(
             "--http-request-timeout-s",
             [&cfg](unsigned s) { cfg.http_request_timeout = std::chrono::seconds(s); },
             "Seconds for an HTTP request to arrive whole; a partial one then gets 408 (default 30)")
            ->check(CLI::Range(1u, 3600u)),
        "PEERLINE_HTTP_REQUEST_TIMEOUT_S");
    env(serve.add_option("--hello-timeout-s", hello_s, "Seconds to send hello after connecting")
            ->capture_default_str(),
        "PEERLINE_HELLO_TIMEOUT_S");
    env(serve.add_option("--idle-timeout-s", idle_s, "Idle WebSocket timeout (pings at half)")
            ->capture_default_str(),
        "PEERLINE_IDLE_TIMEOUT_S");
    env(serve.add_option("--offer-timeout-ms", offer_ms, "How long a listener has to accept")
            ->capture_default_str(),
        "PEERLINE_OFFER_TIMEOUT_MS");
    env(serve.add_option("--staff-session-ttl-s", staff_ttl_s, "Listener/admin session lifetime")
            ->capture_default_str(),
        "PEERLINE_STAFF_SESSION_TTL_S");
    env(serve.add_option("--gp-session-ttl-s", gp_ttl_s, "Anonymous GP session lifetime")
            ->capture_default_str(),
        "PEERLINE_GP_SESSION_TTL_S");
    env(serve.add_option("--login-attempts-per-account", cfg.login_attempts_per_account,
                         "Failed sign-ins per account (from browsers without its device token) before growing delays")
            ->capture_default_str(),
        "PEERLINE_LOGIN_ATTEMPTS_PER_ACCOUNT");
    env(serve.add_option("--login-attempts-per-address", cfg.login_attempts_per_address,
                         "Failed sign-ins per client address before it is refused for the rest of 15 minutes")
            ->capture_default_str(),
        "PEERLINE_LOGIN_ATTEMPTS_PER_ADDRESS");
    env(serve.add_option_function<unsigned>(
             "--login-delay-s", [&cfg](unsigned s) { cfg.login_delay = std::chrono::seconds(s); },
             "Seconds an account's next sign-in waits once its failures reach --login-attempts-per-account; "
             "doubles with each further failure, up to 15 minutes (default 30)")
            ->check(CLI::Range(1u, 900u)),
        "PEERLINE_LOGIN_DELAY_S");
    env(serve.add_option_function<unsigned>(
             "--login-device-days",
             [&cfg](unsigned d) { cfg.login_device_ttl = std::chrono::hours(24) * d; },
             "Days a browser's device token (given at each sign-in) exempts it from the account's "
             "delays (default 30)")
            ->check(CLI::Range(1u, 365u)),
        "PEERLINE_LOGIN_DEVICE_DAYS");
    env(serve.add_option("--timezone", cfg.timezone, "The service's IANA time zone for the rota")
            ->capture_default_str(),
        "PEERLINE_TIMEZONE");
    env(serve.add_option("--signposting-file", cfg.signposting_file,
                         "JSON list of 24/7 alternatives shown to GPs (default: built-in UK list)"),
        "PEERLINE_SIGNPOSTING_FILE");
    env(serve.add_flag("--test-clock", cfg.test_clock,
                       "TESTS ONLY, never in production: PUT /api/test/clock from loopback moves this node's "
                       "clock (refused unless --bind is a loopback address)"),
        "PEERLINE_TEST_CLOCK");
    env(serve.add_option("--mentoring-sessions", cfg.mentoring_sessions, "Sessions in a mentoring series")
            ->capture_default_str()
            ->check(CLI::Range(1, 12)),
        "PEERLINE_MENTORING_SESSIONS");
    env(serve.add_option("--mentoring-session-minutes", cfg.mentoring_session_minutes,
                         "Length of one mentoring session")
            ->capture_default_str()
            ->check(CLI::Range(15, 240)),
        "PEERLINE_MENTORING_SESSION_MINUTES");
    env(serve.add_option("--mentoring-min-months", cfg.mentoring_min_months,
                         "A series spans at least this many months (advice to the planner)")
            ->capture_default_str()
            ->check(CLI::Range(0, 24)),
        "PEERLINE_MENTORING_MIN_MONTHS");
    env(serve.add_option("--mentoring-max-months", cfg.mentoring_max_months,
                         "A series spans at most this many months, first to last session")
            ->capture_default_str()
            ->check(CLI::Range(1, 24)),
        "PEERLINE_MENTORING_MAX_MONTHS");
    env(serve.add_option("--mentoring-min-gap-days", cfg.mentoring_min_gap_days,
                         "Days at least between two sessions of a series")
            ->capture_default_str()
            ->check(CLI::Range(0, 366)),
        "PEERLINE_MENTORING_MIN_GAP_DAYS");
    env(serve.add_option("--max-conversations-per-shift", cfg.max_conversations_per_shift,
                         "Conversations a listener takes per shift (0 = no limit)")
            ->capture_default_str(),
        "PEERLINE_MAX_CONVERSATIONS_PER_SHIFT");
    env(serve.add_flag("!--no-away-on-missed-offer", cfg.missed_offer_sets_away,
                       "Keep a listener available after they let an offer time out"),
        "PEERLINE_NO_AWAY_ON_MISSED_OFFER");
    env(serve.add_option("--log-level", cfg.log_level, "debug, info, warn or error")
            ->capture_default_str(),
        "PEERLINE_LOG_LEVEL");
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Peerline: confidential peer support for GPs"};
    app.require_subcommand(1);

    server_config cfg;
    std::optional<std::string> serve_redis;
    unsigned hello_s = static_cast<unsigned>(cfg.hello_timeout.count());
    unsigned idle_s = static_cast<unsigned>(cfg.idle_timeout.count());
    unsigned offer_ms = static_cast<unsigned>(cfg.offer_timeout.count());
    unsigned staff_ttl_s = static_cast<unsigned>(cfg.staff_session_ttl.count());
    unsigned gp_ttl_s = static_cast<unsigned>(cfg.gp_session_ttl.count());
    unsigned wrapup_s = static_cast<unsigned>(cfg.wrapup.count());
    unsigned max_wait_s = static_cast<unsigned>(cfg.max_wait.count());
    unsigned continuity_pref_s = static_cast<unsigned>(cfg.continuity_preference.count());
    unsigned presence_s = static_cast<unsigned>(cfg.presence_timeout.count());
    unsigned heartbeat_s = static_cast<unsigned>(cfg.heartbeat_interval.count());
    unsigned resume_grace_s = static_cast<unsigned>(cfg.resume_grace.count());
    unsigned mentoring_offer_hours = static_cast<unsigned>(cfg.mentoring_offer.count());
    double max_shift_hours = 0;
    unsigned urgent_boost_s = static_cast<unsigned>(
        std::chrono::duration_cast<std::chrono::seconds>(cfg.urgent_boost).count());
    auto* serve = app.add_subcommand("serve", "Run a Peerline server node");
    add_serve_options(*serve, cfg, serve_redis, hello_s, idle_s, offer_ms, staff_ttl_s, gp_ttl_s);
    serve->add_option("--wrapup-s", wrapup_s, "Pause after each conversation before the next offer")
        ->envname("PEERLINE_WRAPUP_S")
        ->capture_default_str();
    serve->add_option("--max-wait-s", max_wait_s, "Longest wait before a GP is signposted instead")
        ->envname("PEERLINE_MAX_WAIT_S")
        ->capture_default_str();
    serve->add_option("--continuity-preference-s", continuity_pref_s,
                      "How long a continuity code's listener is preferred")
        ->envname("PEERLINE_CONTINUITY_PREFERENCE_S")
        ->capture_default_str();
    serve->add_option("--presence-timeout-s", presence_s,
                      "Silence after which a listener or node counts as gone")
        ->envname("PEERLINE_PRESENCE_TIMEOUT_S")
        ->capture_default_str();
    serve->add_option("--resume-grace-s", resume_grace_s,
                      "How long a dropped client may resume its place or conversations (0 = off)")
        ->envname("PEERLINE_RESUME_GRACE_S")
        ->capture_default_str();
    serve->add_option("--mentoring-offer-hours", mentoring_offer_hours,
                      "How long each mentor a GP chose has to accept or decline before the next choice is asked")
        ->envname("PEERLINE_MENTORING_OFFER_HOURS")
        ->check(CLI::Range(1, 24 * 14))
        ->capture_default_str();
    serve->add_option("--max-shift-hours", max_shift_hours,
                      "Hours from first going available in a shift until set away for the rest of it (0 = no limit)")
        ->envname("PEERLINE_MAX_SHIFT_HOURS")
        ->check(CLI::Range(0.0, 24.0))
        ->capture_default_str();
    serve->add_option("--urgent-boost-s", urgent_boost_s,
                      "Ageing rule: an urgent request goes ahead of ordinary ones up to this much older")
        ->envname("PEERLINE_URGENT_BOOST_S")
        ->capture_default_str();
    serve->add_option("--heartbeat-s", heartbeat_s, "Presence heartbeat interval")
        ->envname("PEERLINE_HEARTBEAT_S")
        ->capture_default_str();

    admin_command admin;
    auto* admin_app = app.add_subcommand("admin", "Manage listener and administrator accounts");
    admin_app->add_option("--redis", admin.redis_url, "Redis URL (default: the embedded one)")
        ->envname("PEERLINE_REDIS");
    admin_app->add_option("--data-dir", admin.data_dir, "Data directory of the embedded Redis")
        ->envname("PEERLINE_DATA_DIR")
        ->capture_default_str();
    admin_app->add_option("--password-hash-cost", admin.password_hash_cost)
        ->envname("PEERLINE_PASSWORD_HASH_COST")
        ->capture_default_str();
    admin_app->require_subcommand(1);
    for (auto [name, help] :
         {std::pair{"create-listener", "Create a listener account (prints a one-time password)"},
          std::pair{"create-admin", "Create an administrator account (prints a one-time password)"},
          std::pair{"disable", "Disable an account"}, std::pair{"enable", "Re-enable an account"}}) {
        auto* sub = admin_app->add_subcommand(name, help);
        sub->add_option("username", admin.username, "Account name")->required();
        if (std::string_view(name).rfind("create", 0) == 0)
            sub->add_flag("--password-stdin", admin.password_stdin,
                          "Read the password from standard input instead of generating one");
        sub->callback([&admin, n = std::string(name)] { admin.action = n; });
    }
    admin_app->add_subcommand("list", "List accounts")->callback([&admin] { admin.action = "list"; });
    auto* shift = admin_app->add_subcommand("add-shift", "Add rota shifts for a listener");
    shift->add_option("username", admin.username, "Listener account")->required();
    shift->add_flag("--always", admin.always, "Every day, 00:00-24:00 (demo and tests)");
    shift->add_option("--weekday", admin.weekday, "Weekly shift on this day (0 = Sunday)");
    shift->add_option("--date", admin.date, "One-off shift on this date (YYYY-MM-DD)");
    shift->add_option("--start", admin.start, "Local start time HH:MM")->capture_default_str();
    shift->add_option("--end", admin.end, "Local end time HH:MM (<= start: next day)")->capture_default_str();
    shift->callback([&admin] { admin.action = "add-shift"; });

    org_command org;
    auto* org_app = add_org_commands(app, org);
    release_command release;
    add_release_commands(app, *org_app, release);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }

    try {
        if (*serve) {
            cfg.redis_url = serve_redis;
            cfg.hello_timeout = std::chrono::seconds(hello_s);
            cfg.idle_timeout = std::chrono::seconds(idle_s);
            cfg.offer_timeout = std::chrono::milliseconds(offer_ms);
            cfg.staff_session_ttl = std::chrono::seconds(staff_ttl_s);
            cfg.gp_session_ttl = std::chrono::seconds(gp_ttl_s);
            cfg.wrapup = std::chrono::seconds(wrapup_s);
            cfg.resume_grace = std::chrono::seconds(resume_grace_s);
            cfg.mentoring_offer = std::chrono::hours(mentoring_offer_hours);
            cfg.max_shift_time = std::chrono::seconds(static_cast<long long>(max_shift_hours * 3600));
            cfg.urgent_boost = std::chrono::seconds(urgent_boost_s);
            cfg.max_wait = std::chrono::seconds(max_wait_s);
            cfg.continuity_preference = std::chrono::seconds(continuity_pref_s);
            cfg.presence_timeout = std::chrono::seconds(std::max(2u, presence_s));
            cfg.heartbeat_interval = std::chrono::seconds(std::clamp(heartbeat_s, 1u, std::max(1u, presence_s / 2)));
            return run_server(cfg);
        }
        if (!release.action.empty()) return run_release(release);
        if (*org_app) return run_org(org);
        return run_admin(admin);
    } catch (const std::exception& e) {
        std::cerr << "peerline: " << e.what() << "\n";
        return 1;
    }
}
