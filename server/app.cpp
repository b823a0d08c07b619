#include "app.hpp"

#include "bootstrap.hpp"
#include "core/log.hpp"
#include "domain/live_stats.hpp"
#include "domain/mentoring/demo_mentor.hpp"
#include "domain/mentoring/mentoring_janitor.hpp"
#include "domain/mentoring/mentoring_store.hpp"
#include "domain/mentoring/scripts.hpp"
#include "domain/matcher.hpp"
#include "domain/node_janitor.hpp"
#include "domain/queue_positions.hpp"
#include "domain/router.hpp"
#include "domain/rota_service.hpp"
#include "domain/signposting.hpp"
#include "domain/keys.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "domain/client_session.hpp"
#include "net/beast.hpp"
#include "net/http_api.hpp"
#include "net/http_session.hpp"
#include "net/listener.hpp"
#include "net/proxy_trust.hpp"
#include "redis/client.hpp"
#include "redis/embedded_redis.hpp"
#include "redis/sync_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>

#include <iostream>
#include <optional>
#include <thread>

namespace peerline {

namespace {

// Connections this node takes: --max-connections, or the open-file limit
// less a reserve for what the node itself opens (Redis connections, the
// embedded Redis, the listening socket, epoll, logs), so reaching the limit
// never costs the node its Redis connection.
// Each I/O thread holds a few files of its own (epoll, eventfd, timerfd).
std::size_t connection_cap(const server_config& cfg, unsigned io_threads) {
    if (cfg.max_connections > 0) return cfg.max_connections;
    rlim_t reserve = 64 + 4 * static_cast<rlim_t>(io_threads);
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return 1'000'000;
    return files.rlim_cur > 2 * reserve ? static_cast<std::size_t>(files.rlim_cur - reserve) : 16;
}

// Connects the blocking start-up client, waiting for Redis up to `patience`
// (an external Redis may still be starting).
std::unique_ptr<redis::sync_client> connect_at_startup(const redis_address& address,
                                                       std::chrono::seconds patience) {
    auto deadline = std::chrono::steady_clock::now() + patience;
    for (;;) {
        try {
            return std::make_unique<redis::sync_client>(address, std::chrono::seconds(2));
        } catch (const std::exception& e) {
            if (std::chrono::steady_clock::now() > deadline) throw;
            log::warn("redis_not_reachable_at_startup", {{"error", e.what()}});
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
    }
}

// "[HOST:]PORT" (HOST 127.0.0.1 unless given; an IPv6 HOST in brackets).
// Throws std::invalid_argument with the reason.
tcp::endpoint metrics_endpoint(const std::string& spec) {
    std::string host = "127.0.0.1";
    std::string port = spec;
    if (auto colon = spec.rfind(':'); colon != std::string::npos) {
        host = spec.substr(0, colon);
        port = spec.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    }
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535)
        throw std::invalid_argument("--metrics-listen: the port must be a number 0-65535, as [HOST:]PORT");
    beast::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec) throw std::invalid_argument("--metrics-listen: '" + host + "' is not an IP address");
    return {address, static_cast<std::uint16_t>(std::stoul(port))};
}

std::set<std::string> allowed_origins(const server_config& cfg, std::uint16_t port) {
    std::set<std::string> out(cfg.allowed_origins.begin(), cfg.allowed_origins.end());
    std::string scheme = cfg.tls_cert.empty() ? "http://" : "https://";
    auto p = ":" + std::to_string(port);
    out.insert(scheme + cfg.bind + p);
    if (cfg.bind == "127.0.0.1" || cfg.bind == "0.0.0.0" || cfg.bind == "::1" || cfg.bind == "::") {
        out.insert(scheme + "localhost" + p);
        out.insert(scheme + "127.0.0.1" + p);
    }
    return out;
}

std::shared_ptr<net::ssl::context> make_tls_context(const server_config& cfg) {
    if (cfg.tls_cert.empty() && cfg.tls_key.empty()) return nullptr;
    if (cfg.tls_cert.empty() || cfg.tls_key.empty())
        throw std::invalid_argument("--tls-cert and --tls-key must be given together");
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
    ctx->use_certificate_chain_file(cfg.tls_cert);
    ctx->use_private_key_file(cfg.tls_key, net::ssl::context::pem);
    return ctx;
}

} // namespace

int run_server(server_config cfg) {
    crypto::init();
    log::level lvl;
    if (log::parse_level(cfg.log_level, lvl)) log::set_level(lvl);
    auto pwhash = pwhash_params_from_name(cfg.password_hash_cost);
    if (cfg.node_id.empty()) cfg.node_id = crypto::random_hex(8);
    auto tls = make_tls_context(cfg);
    if (cfg.test_clock) {
        // A clock anyone can move has no place in production: loopback only.
        boost::system::error_code bad_address;
        auto bind = net::ip::make_address(cfg.bind, bad_address);
        if (bad_address || !bind.is_loopback())
            throw std::invalid_argument("--test-clock is for tests only: it needs --bind on a loopback address");
        log::warn("test_clock_enabled");
    }
    const date::time_zone* zone = nullptr;
    try {
        zone = date::locate_zone(cfg.timezone);
    } catch (const std::exception&) {
        throw std::invalid_argument("unknown time zone '" + cfg.timezone + "' (use an IANA name)");
    }
    auto alternatives = load_alternatives(cfg.signposting_file);
    auto proxies = std::make_shared<const proxy_trust>(cfg.trusted_proxies, cfg.proxy_protocol);

    // Redis: external (--redis) or the embedded default.
    std::optional<redis::embedded_redis> embedded;
    redis_address address;
    if (cfg.redis_url) {
        auto parsed = redis_address::parse(*cfg.redis_url);
        if (!parsed) throw std::invalid_argument("--redis must be redis://host:port or unix:///path");
        address = *parsed;
    } else {
        embedded.emplace(cfg.redis_server_binary, cfg.data_dir);
        embedded->start();
        address = embedded->address();
    }

    bootstrap_result boot;
    trust::org_keys org;
    {
        auto sync = connect_at_startup(address, std::chrono::seconds(30));
        boot = bootstrap(*sync, cfg, pwhash);
        org = prepare_org_keys(*sync, cfg);
    }

    // One single-threaded io_context per I/O thread; a connection stays on
    // the one it was accepted onto, and only that thread touches its socket
    // (sessions start there, other threads post to it). So the reactor needs
    // no per-descriptor lock on every read and write (UNSAFE_IO); posting
    // between threads still locks the scheduler.
    unsigned n_threads = cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<net::io_context*> context_ptrs;
    for (unsigned i = 0; i < n_threads; ++i) {
        contexts.push_back(std::make_unique<net::io_context>(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO));
        context_ptrs.push_back(contexts.back().get());
    }
    auto& main_ctx = *contexts.front();
    net::thread_pool cpu_pool(1);

    redis::client_config commands_cfg{address, "commands"};
    commands_cfg.preload = scripts::all();
    redis::client_config pubsub_cfg{address, "pubsub"};
    auto redis = std::make_shared<redis::client>(main_ctx.get_executor(), commands_cfg);
    auto subscriber = std::make_shared<redis::client>(main_ctx.get_executor(), pubsub_cfg);

    services svc{cfg, cfg.node_id, redis, subscriber, nullptr, nullptr, &cpu_pool, pwhash, nullptr, {}, nullptr};
    node_counters counters;
    svc.counters = &counters;
    protocol::cluster::node_limits node_limits;
    node_limits.max_relay_frame_bytes = cfg.limits.max_relay_frame_bytes;
    router routes(cfg.node_id, redis, subscriber, node_limits);
    svc.routes = &routes;
    auto match = std::make_shared<matcher>(svc);
    svc.match = match.get();
    auto janitor = std::make_shared<node_janitor>(svc, match);
    auto rota = std::make_shared<rota_service>(redis, zone);
    svc.rota = rota.get();
    svc.alternatives = std::move(alternatives);
    auto live_feed = std::make_shared<live_stats_feed>(svc, std::chrono::seconds(1));
    svc.live_feed = live_feed.get();
    // Positions also drift as estimates age: refresh them at least this often.
    auto positions = std::make_shared<queue_positions>(svc, std::chrono::seconds(15));
    svc.positions = positions.get();
    svc.org = &org;
    mentoring_store mentoring(redis);
    svc.mentoring = &mentoring;
    auto mentoring_timeouts = std::make_shared<mentoring_janitor>(
        redis, mentoring, std::chrono::duration_cast<std::chrono::milliseconds>(cfg.mentoring_offer));

    http_api api(svc);
    api.set_address_key(boot.address_key);
    auto max_connections = connection_cap(cfg, n_threads);
    auto limits = std::make_shared<address_limits>(cfg.max_connections_per_address, max_connections,
                                                   cfg.max_sessions_per_address);

    tcp::endpoint endpoint(net::ip::make_address(cfg.bind), cfg.port);
    http_context http{svc, api, {}, tls, proxies};
    auto acceptor = std::make_shared<listener>(main_ctx, context_ptrs, endpoint, http, limits);
    http.allowed_origins = allowed_origins(cfg, acceptor->port());
    // /metrics on its own address (plain HTTP: a scraper on the host or the
    // private network), never on the service port.
    http_context metrics_http{svc, api, {}, nullptr, nullptr, http_surface::metrics};
    std::shared_ptr<listener> metrics_acceptor;
    if (!cfg.metrics_listen.empty())
        metrics_acceptor = std::make_shared<listener>(main_ctx, context_ptrs, metrics_endpoint(cfg.metrics_listen),
                                                      metrics_http, limits);

    redis->start();
    subscriber->start();
    // A rota change (from any node): reload, then let this node's listeners
    // check they are still on shift.
    routes.start(
        [rota, &routes] {
            rota->refresh([&routes] {
                routes.for_each_local(
                    [](const std::shared_ptr<client_session>& s) { s->post_event(protocol::cluster::rota_changed{}); });
            });
        },
        [positions] { positions->refresh(); });
    // Load the rota as soon as Redis is reachable, and again after every
    // reconnect (an earlier load may have failed while it was down); the
    // waiting GPs' places likewise.
    redis->on_state_change([rota, positions](bool up) {
        if (!up) return;
        rota->refresh();
        positions->refresh(true); // queue changes while Redis was away were not heard
    });
    if (cfg.demo) {
        // The demo mentor, once Redis answers (again after a reconnect: it
        // only writes what is already there).
        redis->on_state_change([&mentoring, ex = main_ctx.get_executor()](bool up) {
            if (!up) return;
            net::co_spawn(ex, peerline::mentoring::ensure_demo_mentor(mentoring), [](std::exception_ptr e, bool done) {
                if (e || !done) log::warn("demo_mentor_not_written");
                else log::info("demo_mentor_ready", {{"username", peerline::mentoring::demo_mentor_username}});
            });
        });
    }
    rota->start();
    janitor->start();
    mentoring_timeouts->start();
    match->start();
    live_feed->start();
    positions->start();
    acceptor->start();
    if (metrics_acceptor) {
        metrics_acceptor->start();
        log::info("metrics_listening", {{"port", metrics_acceptor->port()}});
    }
    log::info("listening", {{"address", cfg.bind},
                            {"port", acceptor->port()},
                            {"tls", tls != nullptr},
                            {"threads", n_threads},
                            {"max_connections", max_connections},
                            {"redis", cfg.redis_url ? "external" : "embedded"}});

    // Graceful shutdown: stop accepting, tell every client, give them a
    // moment to read it, then stop everything.
    std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
    for (auto& c : contexts) work.push_back(net::make_work_guard(*c));
    net::signal_set signals(main_ctx, SIGINT, SIGTERM);
    net::steady_timer grace(main_ctx);
    signals.async_wait([&](beast::error_code ec, int sig) {
        if (ec) return;
        log::info("shutdown_started", {{"signal", sig}});
        acceptor->stop();
        if (metrics_acceptor) metrics_acceptor->stop();
        routes.for_each_local([](const std::shared_ptr<client_session>& s) {
            s->post_shutdown("The server is restarting. Please reconnect.", 2000);
        });
        grace.expires_after(cfg.shutdown_grace);
        // The node stays in the registry: clients it told to reconnect may
        // resume elsewhere within the presence timeout, and whatever nobody
        // resumes is cleaned up by the other nodes' reaper (or by this node
        // when it starts again with the same id).
        grace.async_wait([&](beast::error_code) {
            janitor->stop();
            mentoring_timeouts->stop();
            match->stop();
            live_feed->stop();
            positions->stop();
            rota->stop();
            subscriber->stop();
            redis->stop();
            for (auto& w : work) w.reset();
            for (auto& c : contexts) c->stop();
        });
    });

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < n_threads; ++i) threads.emplace_back([&, i] { contexts[i]->run(); });
    main_ctx.run();
    for (auto& t : threads) t.join();
    cpu_pool.join();
    if (embedded) embedded->stop();
    log::info("shutdown_complete");
    return 0;
}

} // namespace peerline
