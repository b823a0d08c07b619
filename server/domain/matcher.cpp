#include "domain/matcher.hpp"

#include "core/log.hpp"
#include "domain/router.hpp"
#include "domain/services.hpp"
#include "redis/client.hpp"

#include <boost/asio/dispatch.hpp>

namespace peerline {

namespace net = boost::asio;
namespace pr = protocol;
namespace pc = protocol::cluster;

matcher::matcher(services& svc) : svc_(svc), queue_(*svc.redis), timer_(svc.redis->get_executor()) {}

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
    std::vector<std::string> ids;
    ids.reserve(offer_batch);
    // Offer ids: 28 random hex digits per call and 4 of index (32 in all, like
    // the random ids used before), so a round costs one random draw.
    auto base = crypto::random_hex(14);
    for (std::size_t i = 0; i < offer_batch; ++i) {
        static constexpr char hex[] = "0123456789abcdef";
        std::string id = base;
        for (int shift = 12; shift >= 0; shift -= 4) id.push_back(hex[(i >> shift) & 0xF]);
        ids.push_back(std::move(id));
    }
    queue_.match(
        now_ms(), svc_.cfg.offer_timeout, std::move(ids),
        [self = shared_from_this()](queue_store::match_result r) {
            auto made = r.offers.size();
            if (r.failed || made == 0) {
                if (!r.error.empty()) log::error("match_failed", {{"error", r.error}});
                self->running_ = false;
                if (self->again_ && !r.failed) self->kick();
                return;
            }
            for (auto& offer : r.offers)
                self->svc_.routes->send_event(offer.listener.node, offer.listener.sid, std::move(offer.event));
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

void matcher::request_left(const queue_store::left& left) {
    if (!left.answered) return;
    if (left.withdrawn) {
        svc_.routes->send_event(left.withdrawn->listener.node, left.withdrawn->listener.sid,
                                pc::offer_withdrawn{left.withdrawn->offer_id, pc::withdrawal::gp_left});
        kick();
    }
    svc_.routes->broadcast(pc::queue_changed{});
}

} // namespace peerline
