// The GP's side of a client session: asking to talk, the queue (position,
// estimate, leaving, maximum wait), signposting when nobody can answer, and
// continuity codes.
#include "domain/client_session.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "domain/keys.hpp"
#include "domain/matcher.hpp"
#include "domain/queue_positions.hpp"
#include "domain/router.hpp"
#include "domain/rota_service.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "domain/signposting.hpp"
#include "peerline/crypto/crypto.hpp"
#include "redis/client.hpp"

namespace peerline {

namespace pr = protocol;
namespace pc = protocol::cluster;
using ec = protocol::error_code;

namespace {
constexpr int request_ttl_s = 6 * 3600;
} // namespace

void client_session::on_request_chat(const pr::request_chat& m) {
    if (gp_ != gp_state::idle) {
        send_error(ec::invalid_state, "request_chat", "already waiting or talking");
        return;
    }
    // Nobody on shift, or the service closed: say so and when it opens,
    // rather than queue the GP behind nobody.
    auto cal = svc_.rota->snapshot();
    auto now = std::chrono::floor<std::chrono::seconds>(clock::now());
    if (!cal->staffed(now)) {
        signpost(cal->is_open(now) ? pr::signpost_reason::no_one_on_shift
                                   : pr::signpost_reason::closed);
        return;
    }
    gp_ = gp_state::requesting;
    if (!m.continuity_code) {
        enqueue(m, {});
        return;
    }
    exec_then({"GET", keys::continuity(crypto::token_hash(*m.continuity_code))},
              [this, m](redis::value v) {
                  if (v.is_unavailable()) {
                      gp_ = gp_state::idle;
                      send_error(ec::service_unavailable, "request_chat");
                      return;
                  }
                  // An unknown or expired code just means "anyone".
                  enqueue(m, v.type == redis::value::kind::string ? v.str : std::string());
              });
}

void client_session::enqueue(const pr::request_chat& m, std::string preferred_listener) {
    request_id_ = crypto::random_hex(16);
    auto now = now_ms();
    std::string topic = m.about ? std::string(pr::to_string(*m.about)) : std::string();
    auto prefer_until =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(svc_.cfg.continuity_preference).count();
    eval_then(scripts::queue_enqueue(),
              {request_id_, sid_, svc_.node_id, topic, m.urgent ? "1" : "0", std::to_string(now),
               std::to_string(svc_.cfg.urgent_boost.count()), std::to_string(request_ttl_s),
               preferred_listener, std::to_string(prefer_until)},
              [this, now](redis::value v) {
                  auto standing = queue_standing::from_reply(v, 1, now);
                  if (standing.empty() || !standing[0]) {
                      gp_ = gp_state::idle;
                      request_id_.clear();
                      send_error(ec::service_unavailable, "request_chat");
                      return;
                  }
                  if (gp_ != gp_state::requesting) return; // started meanwhile
                  gp_ = gp_state::waiting;
                  last_queued_.reset();
                  max_wait_timer_.expires_after(svc_.cfg.max_wait);
                  max_wait_timer_.async_wait([weak = weak_from_this()](boost::system::error_code e) {
                      if (auto self = weak.lock(); self && !e) self->on_max_wait();
                  });
                  svc_.match->kick();
                  svc_.routes->broadcast(pc::queue_changed{});
                  // One first `queued`, with the estimate (the enqueue
                  // answered both); the node's refreshes take it from here.
                  svc_.positions->watch(request_id_, weak_from_this());
                  apply_queued(*standing[0]);
              });
}

// Asks Redis for this request's place and recent throughput now (a resumed
// GP); from then on the node's queue_positions refreshes it with every other
// waiting GP's.
void client_session::refresh_position() {
    if (gp_ != gp_state::waiting) return;
    svc_.positions->watch(request_id_, weak_from_this());
    auto now = now_ms();
    std::vector<std::string> ids{request_id_};
    eval_then(scripts::queue_positions(), queue_standing::script_args(now, ids),
              [this, now](redis::value v) {
                  if (gp_ != gp_state::waiting) return;
                  auto standing = queue_standing::from_reply(v, 1, now);
                  // On failure the node's next refresh tells them.
                  if (!standing.empty() && standing[0]) apply_queued(*standing[0]);
              });
}

// Tells the GP their place and estimate when either changed.
void client_session::apply_queued(const pr::queued& q) {
    if (last_queued_ && *last_queued_ == q) return;
    last_queued_ = q;
    send(q);
}

void client_session::stop_waiting() {
    if (!request_id_.empty()) svc_.positions->unwatch(request_id_);
    request_id_.clear();
    last_queued_.reset();
    max_wait_timer_.cancel();
}

void client_session::on_leave_queue() {
    if (gp_ != gp_state::waiting) {
        send_error(ec::invalid_state, "leave_queue", "not waiting");
        return;
    }
    eval_then(scripts::queue_leave(), {request_id_, std::to_string(now_ms()), "left"},
              [this](redis::value v) {
                  if (v.failed()) {
                      send_error(ec::service_unavailable, "leave_queue");
                      return;
                  }
                  svc_.match->request_left(v);
                  if (gp_ == gp_state::waiting) {
                      gp_ = gp_state::idle;
                      stop_waiting();
                      send(pr::left_queue{});
                  }
              });
}

// Waiting longer than the service promises ends in signposting, never an
// endless spinner.
void client_session::on_max_wait() {
    if (gp_ != gp_state::waiting) return;
    eval_then(scripts::queue_leave(), {request_id_, std::to_string(now_ms()), "max_wait"},
              [this](redis::value v) {
                  if (v.failed()) {
                      // Try again shortly; the GP stays in the queue meanwhile.
                      max_wait_timer_.expires_after(std::chrono::seconds(5));
                      max_wait_timer_.async_wait([weak = weak_from_this()](boost::system::error_code e) {
                          if (auto self = weak.lock(); self && !e) self->on_max_wait();
                      });
                      return;
                  }
                  svc_.match->request_left(v);
                  if (gp_ != gp_state::waiting) return;
                  gp_ = gp_state::idle;
                  stop_waiting();
                  signpost(pr::signpost_reason::max_wait);
              });
}

void client_session::signpost(pr::signpost_reason reason) {
    pr::signposting s;
    s.reason = reason;
    auto now = std::chrono::floor<std::chrono::seconds>(clock::now());
    if (auto next = svc_.rota->snapshot()->next_staffed(now))
        s.next_shift_start_ms = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(next->time_since_epoch()).count());
    // Administrators may have replaced the configured list (JSON API).
    exec_then({"GET", keys::signposting}, [this, s = std::move(s)](redis::value v) mutable {
        std::string error;
        std::optional<std::vector<pr::alternative>> chosen;
        if (!v.failed() && !v.is_nil())
            if (auto doc = nlohmann::json::parse(v.str, nullptr, false); !doc.is_discarded())
                chosen = parse_alternatives(doc, error);
        s.alternatives = chosen ? std::move(*chosen) : svc_.alternatives;
        send(s);
    });
}

// After a conversation the GP is offered a continuity code; the browser keeps
// it only if the GP chooses to. Redis stores the code's hash and the
// listener's name, with expiry — nothing about the GP.
void client_session::offer_continuity_code(std::uint16_t channel, pr::end_reason reason,
                                           pr::ended_by by, std::string listener) {
    if (listener.empty()) {
        send(pr::conversation_ended{channel, reason, by, std::nullopt});
        return;
    }
    auto code = crypto::random_hex(16);
    auto ttl_s = std::chrono::duration_cast<std::chrono::seconds>(svc_.cfg.continuity_ttl).count();
    exec_then({"SET", keys::continuity(crypto::token_hash(code)), listener, "EX", std::to_string(ttl_s)},
              [this, channel, reason, by, code](redis::value v) {
                  std::optional<std::string> kept;
                  if (!v.failed()) kept = code;
                  send(pr::conversation_ended{channel, reason, by, kept});
              });
}

} // namespace peerline
