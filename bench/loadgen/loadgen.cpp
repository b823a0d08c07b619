// peerline-loadgen: the benchmark's load generator.
//
// One thread, one io_context, many Beast WebSocket connections. It speaks
// three dialects so that the same code drives Peerline and its peers:
//   peerline  the real protocol: listeners log in (POST /api/login), go
//             available; GPs get a session (POST /api/gp/session), request a
//             chat; listeners accept offers; both sides get
//             conversation_started and then relay binary frames (4-byte header)
//   pair      the peers' tiny pairing protocol (bench/peers/README.md): the
//             first text frame "join <room>", the peer answers "paired" to
//             both once the room has two connections, then forwards binary
//             frames to the partner unchanged
//   sio       Socket.IO v4 over its WebSocket transport (Engine.IO 4): a
//             "join" event, then each frame is an event with one binary
//             attachment, relayed to the room by the server
//
// HTTP set-up (login, GP sessions) reuses the native test client library
// (client/: peerline::client::login, gp_session); control messages are
// encoded and decoded by the protocol library, exactly as in the tests.
//
// Modes:
//   throughput  closed loop: each pair keeps K frames in flight; whoever
//               receives a frame sends it back. Frames/s and server CPU.
//   latency     open loop: send times are planned in advance (t0 + i/rate,
//               round robin over all connections, both directions); latency is
//               receive time minus *planned* time, so a stalled sender or
//               server shows up as latency (no coordinated omission).
//   idle        N authenticated connections that do nothing: connect rate,
//               server RSS growth per connection, idle CPU (keepalive pings).
//   matching    Peerline only: M GPs queued, L listeners go available;
//               availability->offer, accept->first relayed frame,
//               end->next offer, request->offer. With --end-rate R, a
//               steady phase first: conversations end at R per second on a
//               schedule planned in advance (open loop) while every GP whose
//               conversation ended asks again, so the queue stays M - L
//               deep; end->next offer is measured from the planned end.
//
// Output: one JSON object on stdout. Timings never fail anything.
#include "peerline/client/flows.hpp"
#include "peerline/client/http_client.hpp"
#include "peerline/protocol/messages.hpp"
#include "peerline/protocol/relay_frame.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using json = nlohmann::json;
namespace pr = peerline::protocol;
namespace pc = peerline::client;

namespace {

std::uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

[[noreturn]] void die(const std::string& m) {
    std::cerr << "loadgen: " << m << "\n";
    std::exit(2);
}

enum class dialect { peerline, pair, sio };
enum class mode { throughput, latency, idle, matching };

struct options {
    dialect d = dialect::peerline;
    mode m = mode::throughput;
    std::vector<pc::endpoint> eps;      // A side (GPs) use eps[0], B side eps[last]
    int pairs = 100;
    int inflight = 1;
    double rate = 10000;                // latency: frames/s offered in total
    double warmup_s = 2, duration_s = 5;
    std::size_t frame_bytes = 1024;     // whole relay frame, header included
    int idle_conns = 1000;
    int listeners = 200, gps = 1000;    // matching
    int serial_requests = 200;          // matching: request->offer samples
    double end_rate = 0;                // matching: paced ends per second (0: no steady phase)
    std::string listener_prefix = "bench";
    std::string listener_password = "bench-password-123";
    int sessions_per_listener = 1;      // listener i logs in as prefix(i / this)
    int connect_concurrency = 128;
    std::vector<std::pair<std::string, int>> pids; // name=pid, CPU and RSS sampled
    std::string redis_host = "127.0.0.1";
    int redis_port = 0;                 // INFO commandstats deltas when set
    std::string hist_out;               // latency samples (µs) for plots
    double setup_timeout_s = 180;
};

// --- /proc sampling ----------------------------------------------------------

double proc_cpu_s(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), {});
    auto p = s.rfind(')');
    if (p == std::string::npos) return 0;
    std::istringstream in(s.substr(p + 2));
    std::string tok;
    double ut = 0, st = 0;
    for (int field = 3; in >> tok; ++field) {
        if (field == 14) ut = std::stod(tok);
        if (field == 15) {
            st = std::stod(tok);
            break;
        }
    }
    return (ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long proc_status_kb(int pid, const char* key) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::strlen(key)));
    }
    return -1;
}

long meminfo_kb(const char* key) {
    std::ifstream f("/proc/meminfo");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::strlen(key)));
    }
    return -1;
}

double self_cpu_s() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// INFO commandstats over a blocking socket: only at window edges.
std::map<std::string, long> redis_cmdstats(const options& o) {
    std::map<std::string, long> out;
    if (o.redis_port == 0) return out;
    try {
        net::io_context io;
        tcp::socket s(io);
        s.connect({net::ip::make_address(o.redis_host), static_cast<unsigned short>(o.redis_port)});
        std::string req = "*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n";
        net::write(s, net::buffer(req));
        std::string buf;
        char tmp[8192];
        std::size_t need = std::string::npos;
        while (true) {
            auto n = s.read_some(net::buffer(tmp));
            buf.append(tmp, n);
            if (need == std::string::npos) {
                auto e = buf.find("\r\n");
                if (e != std::string::npos) need = e + 2 + std::stoul(buf.substr(1, e - 1)) + 2;
            }
            if (need != std::string::npos && buf.size() >= need) break;
        }
        std::istringstream in(buf);
        std::string line;
        while (std::getline(in, line)) {
            // cmdstat_publish:calls=123,usec=...
            if (line.rfind("cmdstat_", 0) != 0) continue;
            auto colon = line.find(':');
            auto calls = line.find("calls=");
            if (colon == std::string::npos || calls == std::string::npos) continue;
            out[line.substr(8, colon - 8)] = std::stol(line.substr(calls + 6));
        }
    } catch (const std::exception& e) {
        std::cerr << "loadgen: redis INFO failed: " << e.what() << "\n";
    }
    return out;
}

// --- latency samples -------------------------------------------------------

struct samples {
    std::vector<std::uint32_t> us; // microseconds, exact (sorted at the end)
    void add(std::uint64_t ns) {
        us.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(ns / 1000, 0xffffffffu)));
    }
    json summary() {
        json j;
        j["count"] = us.size();
        if (us.empty()) return j;
        std::sort(us.begin(), us.end());
        auto q = [&](double p) {
            auto i = static_cast<std::size_t>(p * static_cast<double>(us.size() - 1) + 0.5);
            return us[std::min(i, us.size() - 1)];
        };
        j["p50_us"] = q(0.5);
        j["p90_us"] = q(0.9);
        j["p99_us"] = q(0.99);
        j["p999_us"] = q(0.999);
        j["max_us"] = us.back();
        return j;
    }
};

// --- connections -------------------------------------------------------------

struct app;

struct conn {
    app& a;
    int idx;
    bool side_b;          // false: A (GP), true: B (listener)
    int pair_id;
    websocket::stream<tcp::socket> ws;
    beast::flat_buffer rbuf;
    struct out {
        std::string data;
        bool binary;
    };
    std::deque<out> wq;
    std::vector<std::string> spare;
    bool writing = false;
    bool open = false;
    std::uint16_t channel = 1;
    std::string token;
    bool sio_attachment_next = false;
    bool ready = false;
    bool welcomed = false;
    // matching timestamps
    std::uint64_t t_avail = 0, t_accept = 0, t_end = 0, t_request = 0;
    std::string offer_id;
    bool awaiting_first_frame = false;

    conn(app& app_, int i, bool b, int pair, net::io_context& ioc)
        : a(app_), idx(i), side_b(b), pair_id(pair), ws(ioc) {}

    std::string take() {
        if (spare.empty()) return {};
        std::string s = std::move(spare.back());
        spare.pop_back();
        return s;
    }
    void send(std::string data, bool binary) {
        if (!open) return;
        wq.push_back({std::move(data), binary});
        if (!writing) do_write();
    }
    void do_write();
    void do_read();
};

struct app {
    options o;
    net::io_context ioc{1};
    std::vector<std::unique_ptr<conn>> conns;
    pr::limits lim;
    std::uint64_t window_start = 0, window_end = 0;
    bool stopping = false;
    // counters
    std::uint64_t received_in_window = 0, received_total = 0, sent_total = 0;
    std::uint64_t sent_in_window = 0;
    std::uint64_t errors = 0;
    int connected = 0, ready = 0, available = 0, queued = 0, started = 0, failed = 0;
    samples lat;
    // matching
    samples m_request_queued, m_avail_offer, m_accept_started, m_accept_first_frame,
        m_end_offer, m_request_offer, m_end_offer_steady;
    int served = 0;
    // steady phase (--end-rate): listeners in a conversation, oldest first,
    // and the planned ends
    std::deque<conn*> talking;
    std::uint64_t steady_t0 = 0, steady_t1 = 0, steady_slot = 0, steady_missed = 0;
    std::uint64_t steady_ends = 0;
    std::unique_ptr<net::steady_timer> steady_timer;
    int outstanding = 0; // GPs with a request open or in a conversation
    int matching_phase = 0;
    int serial_done = 0;
    conn* serial_gp = nullptr;
    std::uint64_t serial_t = 0;
    std::function<void()> on_all_ready;
    std::string sio_frame_header = "451-[\"f\",{\"_placeholder\":true,\"num\":0}]";

    app() {
        lim.max_control_frame_bytes = 64 * 1024;
        lim.max_relay_frame_bytes = 16 * 1024 * 1024;
        lim.max_string_bytes = 4096;
    }

    const pc::endpoint& ep_for(const conn& c) const {
        return c.side_b ? o.eps.back() : o.eps.front();
    }

    void send_control(conn& c, const pr::client_message& m) { c.send(pr::encode(m), false); }

    // A relay frame stamped with time t.
    void send_frame(conn& c, std::uint64_t t) {
        std::string f = c.take();
        if (f.size() != o.frame_bytes) {
            f.assign(o.frame_bytes, 'x');
            f[0] = 1;
            f[1] = 1;
        }
        f[2] = static_cast<char>(c.channel >> 8);
        f[3] = static_cast<char>(c.channel & 0xff);
        std::memcpy(&f[4], &t, sizeof t);
        if (o.d == dialect::sio) c.send(sio_frame_header, false);
        c.send(std::move(f), true);
        ++sent_total;
    }

    void fail(conn& c, const std::string& what) {
        ++errors;
        if (errors < 20) std::cerr << "loadgen: conn " << c.idx << ": " << what << "\n";
    }

    // --- connection set-up ---
    int next_to_connect = 0, connecting = 0;
    void pump_connects() {
        while (connecting < o.connect_concurrency && next_to_connect < static_cast<int>(conns.size())) {
            start_connect(*conns[next_to_connect++]);
        }
    }
    void start_connect(conn& c) {
        ++connecting;
        const auto& ep = ep_for(c);
        tcp::endpoint te(net::ip::make_address(ep.host), ep.port);
        beast::get_lowest_layer(c.ws).async_connect(te, [this, &c](beast::error_code ec) {
            if (ec) return connect_failed(c, "connect: " + ec.message());
            beast::get_lowest_layer(c.ws).set_option(tcp::no_delay(true));
            c.ws.read_message_max(lim.max_relay_frame_bytes);
            c.ws.auto_fragment(false);
            c.ws.set_option(websocket::stream_base::decorator([](websocket::request_type& r) {
                r.set(beast::http::field::user_agent, "peerline-loadgen");
            }));
            std::string target = o.d == dialect::sio ? "/socket.io/?EIO=4&transport=websocket" : "/ws";
            c.ws.async_handshake(ep_for(c).authority(), target, [this, &c](beast::error_code e2) {
                if (e2) return connect_failed(c, "handshake: " + e2.message());
                --connecting;
                ++connected;
                c.open = true;
                c.do_read();
                on_connected(c);
                pump_connects();
            });
        });
    }
    void connect_failed(conn& c, const std::string& what) {
        --connecting;
        ++failed;
        fail(c, what);
        pump_connects();
    }

    void on_connected(conn& c) {
        switch (o.d) {
        case dialect::peerline: send_control(c, pr::hello{c.token}); break;
        case dialect::pair:
            if (o.m == mode::idle) return mark_ready(c);
            c.send("join " + std::to_string(c.pair_id), false);
            break;
        case dialect::sio: break; // wait for the Engine.IO open packet
        }
    }

    void mark_ready(conn& c) {
        if (c.ready) return;
        c.ready = true;
        ++ready;
        if (ready == static_cast<int>(conns.size()) && on_all_ready) on_all_ready();
    }

    // --- incoming ---
    void on_text(conn& c, std::string_view t) {
        if (o.d == dialect::pair) {
            if (t == "paired") mark_ready(c);
            return;
        }
        if (o.d == dialect::sio) {
            if (t == "2") return c.send("3", false);
            if (!t.empty() && t[0] == '0') return c.send("40", false);
            if (t.rfind("40", 0) == 0) {
                if (o.m == mode::idle) return mark_ready(c);
                return c.send("42[\"join\",\"" + std::to_string(c.pair_id) + "\"]", false);
            }
            if (t.rfind("42[\"paired\"", 0) == 0) return mark_ready(c);
            if (t.rfind("451-", 0) == 0) {
                c.sio_attachment_next = true;
                return;
            }
            return;
        }
        auto d = pr::decode_server_message(t, lim);
        if (!d) return fail(c, "undecodable control frame: " + std::string(t));
        on_control(c, *d.value);
    }

    void on_control(conn& c, const pr::server_message& m) {
        if (auto* e = std::get_if<pr::error_message>(&m)) {
            return fail(c, "error " + std::string(pr::to_string(e->err.code)) + " in reply to " +
                               e->in_reply_to + ": " + e->err.message);
        }
        if (std::holds_alternative<pr::welcome>(m)) {
            if (o.m == mode::idle) return mark_ready(c);
            c.welcomed = true;
            if (c.side_b && o.m != mode::matching)
                send_control(c, pr::set_availability{pr::availability::available});
            // A GP asks to talk once every listener is available.
            if (!c.side_b && o.m != mode::matching && available >= o.pairs)
                send_control(c, pr::request_chat{});
            if (o.m == mode::matching) mark_ready(c);
            return;
        }
        if (auto* av = std::get_if<pr::availability_changed>(&m)) {
            if (av->state == pr::listener_state::available && o.m != mode::matching) {
                ++available;
                if (available == o.pairs) {
                    // Every listener is available: the GPs (authenticated so
                    // far; the rest on their welcome) ask to talk.
                    for (auto& x : conns)
                        if (!x->side_b && x->welcomed) send_control(*x, pr::request_chat{});
                }
            }
            return;
        }
        if (auto* of = std::get_if<pr::offer>(&m)) {
            auto t = now_ns();
            if (o.m == mode::matching) matching_offer(c, t);
            c.offer_id = of->offer_id;
            c.t_accept = now_ns();
            send_control(c, pr::accept_offer{of->offer_id});
            return;
        }
        if (std::holds_alternative<pr::queued>(m)) {
            if (o.m == mode::matching && c.t_request != 0 && matching_phase == 1) {
                m_request_queued.add(now_ns() - c.t_request);
                c.t_request = 0;
                if (++queued == o.gps) start_availability();
            }
            return;
        }
        if (auto* cs = std::get_if<pr::conversation_started>(&m)) {
            c.channel = cs->channel;
            if (o.m == mode::matching) return matching_started(c);
            mark_ready(c);
            return;
        }
        if (std::holds_alternative<pr::conversation_ended>(m)) {
            if (o.m == mode::matching && !c.side_b) matching_gp_ended(c);
            return;
        }
    }

    void on_binary(conn& c, std::string_view f) {
        if (o.d == dialect::sio) {
            if (!c.sio_attachment_next) return fail(c, "binary frame without an event header");
            c.sio_attachment_next = false;
        }
        if (f.size() < 12) return fail(c, "short frame");
        auto t = now_ns();
        std::uint64_t sent;
        std::memcpy(&sent, f.data() + 4, sizeof sent);
        ++received_total;
        if (o.m == mode::matching) return matching_frame(c, t);
        bool in_window = sent >= window_start && sent < window_end;
        if (in_window) {
            ++received_in_window;
            lat.add(t - sent);
        }
        if (o.m == mode::throughput && !stopping) {
            // Bounce it back on the same channel, stamped now.
            send_frame(c, now_ns());
            if (t >= window_start && t < window_end) ++sent_in_window;
        }
    }

    // --- matching mode ---
    std::vector<conn*> gps_v, listeners_v;
    void start_matching() {
        for (auto& x : conns) (x->side_b ? listeners_v : gps_v).push_back(x.get());
        matching_phase = 1;
        for (auto* g : gps_v) {
            g->t_request = now_ns();
            send_control(*g, pr::request_chat{});
        }
        outstanding = static_cast<int>(gps_v.size());
    }
    void start_availability() {
        matching_phase = 2;
        std::cerr << "loadgen: " << queued << " GPs queued; " << listeners_v.size()
                  << " listeners go available\n";
        for (auto* l : listeners_v) {
            l->t_avail = now_ns();
            send_control(*l, pr::set_availability{pr::availability::available});
        }
        if (o.end_rate > 0) start_steady();
    }

    // Steady phase: after the warm-up, one conversation ends every 1/R s,
    // the oldest first; a GP whose conversation ended asks again at once.
    void start_steady() {
        matching_phase = 5;
        steady_t0 = now_ns() + static_cast<std::uint64_t>(o.warmup_s * 1e9);
        steady_t1 = steady_t0 + static_cast<std::uint64_t>(o.duration_s * 1e9);
        steady_timer = std::make_unique<net::steady_timer>(ioc);
        std::cerr << "loadgen: steady phase, " << o.end_rate << " ends/s for " << o.duration_s
                  << " s after " << o.warmup_s << " s\n";
        arm_steady();
    }
    std::uint64_t planned_end(std::uint64_t k) const {
        return steady_t0 + static_cast<std::uint64_t>(static_cast<double>(k) * 1e9 / o.end_rate);
    }
    void arm_steady() {
        auto next = planned_end(steady_slot);
        auto wait = next > now_ns() ? next - now_ns() : 0;
        steady_timer->expires_after(std::chrono::nanoseconds(wait));
        steady_timer->async_wait([this](beast::error_code ec) {
            if (ec) return;
            auto t = now_ns();
            while (planned_end(steady_slot) <= t) {
                auto planned = planned_end(steady_slot++);
                if (planned >= steady_t1) return end_steady();
                if (talking.empty()) {
                    ++steady_missed; // every listener is between conversations
                    continue;
                }
                conn* l = talking.front();
                talking.pop_front();
                l->t_end = planned; // measured from the plan, however late we are
                send_control(*l, pr::end_conversation{l->channel, pr::end_reason::completed});
                ++steady_ends;
            }
            arm_steady();
        });
    }
    // Back to the backlog drain: no more asking again, every conversation ends at once.
    void end_steady() {
        matching_phase = 2;
        std::cerr << "loadgen: steady phase done (" << steady_ends << " ends, " << steady_missed
                  << " missed); draining\n";
        for (auto* l : talking) {
            l->t_end = 0; // not a steady sample, and the drain's are from here on
            send_control(*l, pr::end_conversation{l->channel, pr::end_reason::completed});
        }
        talking.clear();
    }
    void matching_offer(conn& l, std::uint64_t t) {
        if (matching_phase == 5) {
            if (l.t_avail) {
                m_avail_offer.add(t - l.t_avail);
                l.t_avail = 0;
            } else if (l.t_end) {
                if (l.t_end >= steady_t0) m_end_offer_steady.add(t - l.t_end);
                l.t_end = 0;
            }
        } else if (matching_phase == 2) {
            if (l.t_avail) {
                m_avail_offer.add(t - l.t_avail);
                l.t_avail = 0;
            } else if (l.t_end) {
                m_end_offer.add(t - l.t_end);
                l.t_end = 0;
            }
        } else if (matching_phase == 3 && serial_t) {
            m_request_offer.add(t - serial_t);
            serial_t = 0;
        }
    }
    void matching_started(conn& c) {
        if (c.side_b) {
            m_accept_started.add(now_ns() - c.t_accept);
            c.awaiting_first_frame = true;
        } else {
            // The GP speaks first, at once.
            send_frame(c, now_ns());
        }
    }
    void matching_frame(conn& l, std::uint64_t t) {
        if (!l.side_b || !l.awaiting_first_frame) return;
        l.awaiting_first_frame = false;
        m_accept_first_frame.add(t - l.t_accept);
        if (matching_phase == 5) {
            talking.push_back(&l); // ends when its planned time comes
            return;
        }
        l.t_end = now_ns();
        send_control(l, pr::end_conversation{l.channel, pr::end_reason::completed});
        ++served_listener_side;
        if (matching_phase == 3) {
            ++serial_done;
            net::post(ioc, [this] { next_serial(); });
        }
    }
    int served_listener_side = 0;
    void matching_gp_ended(conn& g) {
        ++served;
        if (matching_phase == 5) { // asks again: the queue stays as deep
            send_control(g, pr::request_chat{});
            return;
        }
        if (matching_phase == 2 && --outstanding == 0) {
            std::cerr << "loadgen: backlog of " << o.gps << " drained; serial requests\n";
            matching_phase = 3;
            net::post(ioc, [this] { next_serial(); });
        }
    }
    void next_serial() {
        if (serial_done >= o.serial_requests) {
            matching_phase = 4;
            ioc.stop();
            return;
        }
        // A settled system: give the listeners' end to land (wrap-up 0).
        auto t = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(5));
        t->async_wait([this, t](beast::error_code) {
            conn* g = gps_v[static_cast<std::size_t>(serial_done) % gps_v.size()];
            serial_t = now_ns();
            send_control(*g, pr::request_chat{});
        });
    }
};

void conn::do_write() {
    writing = true;
    auto& f = wq.front();
    ws.binary(f.binary);
    ws.async_write(net::buffer(f.data), [this](beast::error_code ec, std::size_t) {
        writing = false;
        if (ec) {
            open = false;
            wq.clear();
            if (!a.stopping) a.fail(*this, "write: " + ec.message());
            return;
        }
        if (wq.front().binary && spare.size() < 64) spare.push_back(std::move(wq.front().data));
        wq.pop_front();
        if (!wq.empty()) do_write();
    });
}

void conn::do_read() {
    ws.async_read(rbuf, [this](beast::error_code ec, std::size_t) {
        if (ec) {
            open = false;
            if (!a.stopping) a.fail(*this, "read: " + ec.message());
            return;
        }
        auto d = rbuf.cdata();
        std::string_view v(static_cast<const char*>(d.data()), d.size());
        if (ws.got_text())
            a.on_text(*this, v);
        else
            a.on_binary(*this, v);
        rbuf.consume(rbuf.size());
        do_read();
    });
}

// --- argument parsing --------------------------------------------------------

pc::endpoint parse_ep(const std::string& s) {
    pc::endpoint ep;
    auto c = s.rfind(':');
    if (c == std::string::npos) die("bad endpoint " + s);
    ep.host = s.substr(0, c);
    ep.port = static_cast<std::uint16_t>(std::stoi(s.substr(c + 1)));
    return ep;
}

void usage() {
    std::cerr <<
        "usage: peerline-loadgen --dialect peerline|pair|sio --mode throughput|latency|idle|matching\n"
        "  --url HOST:PORT [--url HOST:PORT]   second url: B side (listeners) on another node\n"
        "  --pairs N --inflight K --rate R --warmup S --duration S --frame-bytes B\n"
        "  --conns N (idle)  --listeners L --gps M --serial N --end-rate R (matching)\n"
        "  --listener-prefix P --listener-password PW --sessions-per-listener K\n"
        "  --pid NAME=PID ...  --redis-port P  --hist-out FILE\n";
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        auto v = [&]() -> std::string {
            if (i + 1 >= argc) usage();
            return argv[++i];
        };
        if (k == "--dialect") {
            auto s = v();
            o.d = s == "peerline" ? dialect::peerline : s == "pair" ? dialect::pair
                : s == "sio" ? dialect::sio : (usage(), dialect::pair);
        } else if (k == "--mode") {
            auto s = v();
            o.m = s == "throughput" ? mode::throughput : s == "latency" ? mode::latency
                : s == "idle" ? mode::idle : s == "matching" ? mode::matching : (usage(), mode::idle);
        } else if (k == "--url") o.eps.push_back(parse_ep(v()));
        else if (k == "--pairs") o.pairs = std::stoi(v());
        else if (k == "--inflight") o.inflight = std::stoi(v());
        else if (k == "--rate") o.rate = std::stod(v());
        else if (k == "--warmup") o.warmup_s = std::stod(v());
        else if (k == "--duration") o.duration_s = std::stod(v());
        else if (k == "--frame-bytes") o.frame_bytes = std::stoul(v());
        else if (k == "--conns") o.idle_conns = std::stoi(v());
        else if (k == "--listeners") o.listeners = std::stoi(v());
        else if (k == "--gps") o.gps = std::stoi(v());
        else if (k == "--serial") o.serial_requests = std::stoi(v());
        else if (k == "--end-rate") o.end_rate = std::stod(v());
        else if (k == "--listener-prefix") o.listener_prefix = v();
        else if (k == "--listener-password") o.listener_password = v();
        else if (k == "--sessions-per-listener") o.sessions_per_listener = std::stoi(v());
        else if (k == "--connect-concurrency") o.connect_concurrency = std::stoi(v());
        else if (k == "--redis-port") o.redis_port = std::stoi(v());
        else if (k == "--hist-out") o.hist_out = v();
        else if (k == "--setup-timeout") o.setup_timeout_s = std::stod(v());
        else if (k == "--pid") {
            auto s = v();
            auto e = s.find('=');
            if (e == std::string::npos) usage();
            o.pids.emplace_back(s.substr(0, e), std::stoi(s.substr(e + 1)));
        } else usage();
    }
    if (o.eps.empty()) usage();
    if (o.frame_bytes < 16) die("--frame-bytes must be at least 16");
    return o;
}

json cpu_snapshot(const options& o) {
    json j;
    for (auto& [name, pid] : o.pids) j[name] = proc_cpu_s(pid);
    j["loadgen"] = self_cpu_s();
    return j;
}

json cpu_delta(const json& a, const json& b, double wall) {
    json j;
    for (auto& [k, v] : b.items()) {
        double d = v.get<double>() - a[k].get<double>();
        j[k] = {{"cpu_s", d}, {"util", wall > 0 ? d / wall : 0}};
    }
    return j;
}

} // namespace

int main(int argc, char** argv) {
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    app a;
    a.o = parse(argc, argv);
    auto& o = a.o;
    json result;
    result["dialect"] = o.d == dialect::peerline ? "peerline" : o.d == dialect::pair ? "pair" : "sio";
    result["mode"] = o.m == mode::throughput ? "throughput" : o.m == mode::latency ? "latency"
                   : o.m == mode::idle ? "idle" : "matching";

    // --- plan the connections ---
    int n_a = 0, n_b = 0;
    if (o.m == mode::idle) n_a = o.idle_conns;
    else if (o.m == mode::matching) {
        if (o.d != dialect::peerline) die("matching is Peerline's own protocol");
        n_a = o.gps;
        n_b = o.listeners;
    } else n_a = n_b = o.pairs;
    for (int i = 0; i < n_b; ++i) a.conns.push_back(std::make_unique<conn>(a, static_cast<int>(a.conns.size()), true, i, a.ioc));
    for (int i = 0; i < n_a; ++i) a.conns.push_back(std::make_unique<conn>(a, static_cast<int>(a.conns.size()), false, i, a.ioc));

    // --- tokens over HTTP (the test client library) ---
    auto t_http = now_ns();
    if (o.d == dialect::peerline) {
        try {
            for (auto& c : a.conns) {
                if (c->side_b) {
                    int acct = c->pair_id / std::max(1, o.sessions_per_listener);
                    c->token = pc::login(a.ep_for(*c), o.listener_prefix + std::to_string(acct),
                                         o.listener_password).token;
                } else {
                    c->token = pc::gp_session(a.ep_for(*c));
                }
            }
        } catch (const std::exception& e) {
            die(std::string("HTTP set-up failed: ") + e.what());
        }
    }
    result["http_setup_s"] = static_cast<double>(now_ns() - t_http) / 1e9;

    std::map<std::string, long> rss0;
    for (auto& [name, pid] : o.pids) rss0[name] = proc_status_kb(pid, "VmRSS:");
    long slab0 = meminfo_kb("Slab:");

    // --- connect everything ---
    auto t_connect = now_ns();
    std::uint64_t t_all_ready = 0;
    net::steady_timer setup_timer(a.ioc);
    bool setup_done = false;
    a.on_all_ready = [&] {
        t_all_ready = now_ns();
        setup_done = true;
        setup_timer.cancel();
        a.ioc.stop(); // run_for() would otherwise wait out the whole set-up timeout
    };
    setup_timer.expires_after(std::chrono::milliseconds(static_cast<long>(o.setup_timeout_s * 1000)));
    setup_timer.async_wait([&](beast::error_code ec) {
        if (!ec) a.ioc.stop();
    });
    a.pump_connects();
    a.ioc.run_for(std::chrono::milliseconds(static_cast<long>(o.setup_timeout_s * 1000) + 1000));
    a.ioc.restart();
    if (!setup_done) {
        std::cerr << "loadgen: set-up incomplete: connected " << a.connected << ", ready " << a.ready
                  << " of " << a.conns.size() << ", failed " << a.failed << ", available " << a.available << "\n";
        result["error"] = "setup incomplete";
        result["ready"] = a.ready;
        std::cout << result.dump() << std::endl;
        return 1;
    }
    double connect_s = static_cast<double>(t_all_ready - t_connect) / 1e9;
    result["connections"] = a.conns.size();
    result["setup_s"] = connect_s;
    result["connect_rate_per_s"] = static_cast<double>(a.conns.size()) / connect_s;

    auto at = [&](std::uint64_t t_ns, std::function<void()> fn) {
        auto t = std::make_shared<net::steady_timer>(a.ioc);
        t->expires_after(std::chrono::nanoseconds(static_cast<long long>(t_ns - std::min(t_ns, now_ns()))));
        t->async_wait([t, fn = std::move(fn)](beast::error_code) { fn(); });
    };

    if (o.m == mode::idle) {
        // SIGINT ends the run early with a result (bench/run holds several
        // load generators open together, then lets them go).
        bool interrupted = false;
        net::signal_set interrupt(a.ioc, SIGINT);
        interrupt.async_wait([&](beast::error_code ec, int) {
            if (ec) return;
            interrupted = true;
            a.ioc.stop();
        });
        // Let the server settle, then sample memory, and CPU over the window.
        at(now_ns() + 2'000'000'000ull, [&] { a.ioc.stop(); });
        a.ioc.run();
        a.ioc.restart();
        json mem;
        long slab1 = meminfo_kb("Slab:");
        for (auto& [name, pid] : o.pids) {
            long r1 = proc_status_kb(pid, "VmRSS:");
            mem[name] = {{"rss_before_kb", rss0[name]}, {"rss_after_kb", r1},
                         {"bytes_per_conn", static_cast<double>(r1 - rss0[name]) * 1024.0 / static_cast<double>(a.conns.size())}};
        }
        mem["kernel_slab_bytes_per_conn_systemwide"] =
            static_cast<double>(slab1 - slab0) * 1024.0 / static_cast<double>(a.conns.size());
        result["memory"] = mem;
        auto c0 = cpu_snapshot(o);
        auto w0 = now_ns();
        at(w0 + static_cast<std::uint64_t>(o.duration_s * 1e9), [&] { a.ioc.stop(); });
        if (!interrupted) a.ioc.run();
        a.ioc.restart();
        interrupt.cancel();
        double wall = static_cast<double>(now_ns() - w0) / 1e9;
        result["idle_window_s"] = wall;
        result["cpu"] = cpu_delta(c0, cpu_snapshot(o), wall);
        result["errors"] = a.errors;
        result["still_open"] = std::count_if(a.conns.begin(), a.conns.end(), [](auto& c) { return c->open; });
    } else if (o.m == mode::matching) {
        auto c0 = cpu_snapshot(o);
        auto w0 = now_ns();
        a.start_matching();
        net::steady_timer guard(a.ioc, std::chrono::milliseconds(static_cast<long>(o.setup_timeout_s * 1000)));
        guard.async_wait([&](beast::error_code ec) {
            if (!ec) {
                std::cerr << "loadgen: matching timed out in phase " << a.matching_phase << "\n";
                a.ioc.stop();
            }
        });
        a.ioc.run();
        a.ioc.restart();
        double wall = static_cast<double>(now_ns() - w0) / 1e9;
        result["cpu"] = cpu_delta(c0, cpu_snapshot(o), wall);
        result["wall_s"] = wall;
        result["completed"] = a.matching_phase == 4;
        result["listeners"] = o.listeners;
        result["gps"] = o.gps;
        result["request_to_queued"] = a.m_request_queued.summary();
        result["available_to_offer_with_backlog"] = a.m_avail_offer.summary();
        result["end_to_next_offer_with_backlog"] = a.m_end_offer.summary();
        if (o.end_rate > 0) {
            result["end_rate"] = o.end_rate;
            result["steady_ends"] = a.steady_ends;
            result["steady_missed_slots"] = a.steady_missed;
            result["end_to_next_offer_steady"] = a.m_end_offer_steady.summary();
        }
        result["accept_to_conversation_started"] = a.m_accept_started.summary();
        result["accept_to_first_frame"] = a.m_accept_first_frame.summary();
        result["request_to_offer_idle_listeners"] = a.m_request_offer.summary();
        result["errors"] = a.errors;
    } else {
        // --- relay: throughput (closed loop) or latency (open loop) ---
        auto start = now_ns() + 20'000'000ull;
        a.window_start = start + static_cast<std::uint64_t>(o.warmup_s * 1e9);
        a.window_end = a.window_start + static_cast<std::uint64_t>(o.duration_s * 1e9);
        json c0, rstats0_j;
        std::map<std::string, long> rs0, rs1;
        std::uint64_t w0 = 0, w1 = 0;
        json c1;
        at(a.window_start, [&] {
            rs0 = redis_cmdstats(o);
            c0 = cpu_snapshot(o);
            w0 = now_ns();
        });
        at(a.window_end, [&] {
            c1 = cpu_snapshot(o);
            w1 = now_ns();
            rs1 = redis_cmdstats(o);
            a.stopping = o.m == mode::throughput;
        });
        at(a.window_end + 500'000'000ull, [&] { a.ioc.stop(); });

        net::steady_timer sched(a.ioc);
        std::uint64_t planned = 0;
        const double interval_ns = 1e9 / o.rate;
        std::size_t rr = 0;
        std::vector<conn*> senders;
        for (auto& c : a.conns) senders.push_back(c.get());
        std::function<void()> tick;
        if (o.m == mode::throughput) {
            at(start, [&] {
                for (auto& c : a.conns)
                    if (!c->side_b)
                        for (int k = 0; k < o.inflight; ++k) a.send_frame(*c, now_ns());
            });
        } else {
            tick = [&] {
                auto now = now_ns();
                std::uint64_t t_next;
                while (true) {
                    t_next = start + static_cast<std::uint64_t>(static_cast<double>(planned) * interval_ns);
                    if (t_next > now || t_next >= a.window_end) break;
                    conn* c = senders[rr++ % senders.size()];
                    a.send_frame(*c, t_next); // stamped with the PLANNED time
                    if (t_next >= a.window_start) ++a.sent_in_window;
                    ++planned;
                }
                if (t_next >= a.window_end) return;
                auto n2 = now_ns();
                sched.expires_after(std::chrono::nanoseconds(
                    static_cast<long long>(t_next > n2 ? t_next - n2 : 0)));
                sched.async_wait([&](beast::error_code ec) {
                    if (!ec) tick();
                });
            };
            at(start, tick);
        }
        a.ioc.run();
        a.ioc.restart();
        double wall = static_cast<double>(w1 - w0) / 1e9;
        result["pairs"] = o.pairs;
        result["frame_bytes"] = o.frame_bytes;
        result["window_s"] = wall;
        result["cpu"] = cpu_delta(c0, c1, wall);
        if (o.m == mode::throughput) {
            result["inflight"] = o.inflight;
            // Frames relayed in the window: received by a client, sent in it.
            result["frames"] = a.received_in_window;
            result["frames_per_s"] = static_cast<double>(a.received_in_window) / wall;
        } else {
            result["offered_rate"] = o.rate;
            result["sent_in_window"] = a.sent_in_window;
            result["frames"] = a.received_in_window;
            result["achieved_rate"] = static_cast<double>(a.received_in_window) / wall;
        }
        // frames per server CPU-second: every process named server* counts.
        double server_cpu = 0;
        for (auto& [name, v] : result["cpu"].items())
            if (name.rfind("server", 0) == 0) server_cpu += v["cpu_s"].get<double>();
        result["server_cpu_s"] = server_cpu;
        if (server_cpu > 0)
            result["frames_per_server_cpu_s"] = static_cast<double>(a.received_in_window) / server_cpu;
        if (o.redis_port) {
            json rj;
            long total = 0;
            for (auto& [k, v] : rs1) {
                long d = v - (rs0.count(k) ? rs0[k] : 0);
                if (d > 0 && k != "info") {
                    rj[k] = d;
                    total += d;
                }
            }
            result["redis_commands"] = rj;
            result["redis_commands_per_frame"] =
                a.received_in_window ? static_cast<double>(total) / static_cast<double>(a.received_in_window) : 0;
        }
        result["latency"] = a.lat.summary();
        result["errors"] = a.errors;
        if (!o.hist_out.empty()) {
            std::ofstream h(o.hist_out);
            for (auto v : a.lat.us) h << v << "\n";
        }
    }
    std::cout << result.dump() << std::endl;
    a.stopping = true;
    return 0;
}
