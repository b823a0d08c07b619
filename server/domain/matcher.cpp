#include "domain/matcher.hpp"

#include "core/log.hpp"
#include "domain/keys.hpp"
#include "domain/router.hpp"
#include "domain/scripts.hpp"
#include "domain/services.hpp"
#include "redis/client.hpp"

#include <boost/asio/dispatch.hpp>

namespace peerline {

namespace net = boost::asio;
namespace pr = protocol;
namespace pc = protocol::cluster;

matcher::matcher(services& svc) : svc_(svc), timer_(svc.redis->get_executor()) {}

void matcher::start() {
    schedule_tick();
}

void matcher::stop() {
    net::dispatch(timer_.get_executor(), [self = shared_from_this()] {
        self->stopped_ = true;
        self->timer_.cancel();
    });
}

void matcher::kick() {
    net::dispatch(timer_.get_executor(), [self = shared_from_this()] {
        if (self->stopped_) return;
        if (self->running_) {
            self->again_ = true;
            return;
        }
        self->run_round();
    });
}

void matcher::schedule_tick() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->stopped_) return;
        self->kick();
        self->schedule_tick();
    });
}

void matcher::run_round() {
    running_ = true;
    again_ = false;
    match_one();
}

// One queue_match call makes every offer it can (up to offer_batch); another
// call follows only when the batch was full.
void matcher::match_one() {
    constexpr std::size_t offer_batch = 32;
    std::vector<std::string> args;
    args.reserve(2 + offer_batch);
    args.push_back(std::to_string(now_ms()));
    args.push_back(std::to_string(svc_.cfg.offer_timeout.count()));
    // Offer ids: 28 random hex digits per call and 4 of index (32 in all, like
    // the random ids used before), so a round costs one random draw.
    auto base = crypto::random_hex(14);
    for (std::size_t i = 0; i < offer_batch; ++i) {
        static constexpr char hex[] = "0123456789abcdef";
        std::string id = base;
        for (int shift = 12; shift >= 0; shift -= 4) id.push_back(hex[(i >> shift) & 0xF]);
        args.push_back(std::move(id));
    }
    svc_.redis->eval(
        scripts::queue_match(), {keys::queue_prefix}, std::move(args),
        [self = shared_from_this()](redis::value v) {
            auto made = v.failed() ? 0 : v.elements.size() / 8;
            if (v.failed() || made == 0) {
                if (v.is_error()) log::error("match_failed", {{"error", v.str}});
                self->running_ = false;
                if (self->again_ && !v.failed()) self->kick();
                return;
            }
            auto& e = v.elements;
            for (std::size_t i = 0; i + 8 <= e.size(); i += 8) {
                pc::offer_made offer{e[i].str, pr::topic_from_string(e[i + 4].str), e[i + 5].str == "1",
                                     static_cast<std::uint32_t>(self->svc_.cfg.offer_timeout.count())};
                self->svc_.routes->send_event(e[i + 3].str, e[i + 2].str, std::move(offer));
            }
            if (made >= offer_batch) {
                self->match_one();
                return;
            }
            // Everything matchable now has its offer; changes since the call
            // was sent (kicks meanwhile) get one more round.
            self->running_ = false;
            if (self->again_) self->kick();
        });
}

void matcher::request_left(const redis::value& v) {
    if (v.failed()) return;
    if (v.elements.size() == 4 && v.elements[0].str == "withdrawn") {
        svc_.routes->send_event(v.elements[3].str, v.elements[2].str,
                                pc::offer_withdrawn{v.elements[1].str, pc::withdrawal::gp_left});
        kick();
    }
    svc_.routes->broadcast(pc::queue_changed{});
}

} // namespace peerline
