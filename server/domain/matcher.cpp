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

matcher::matcher(services& svc) : svc_(svc), timer_(svc.redis->get_executor()) {}

void matcher::start() { schedule_tick(); }

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
        self->expire_offers();
        self->kick();
        self->schedule_tick();
    });
}

void matcher::run_round() {
    running_ = true;
    again_ = false;
    match_one();
}

// One queue_match call; repeats while it makes offers.
void matcher::match_one() {
    auto offer_id = crypto::random_hex(16);
    svc_.redis->eval(
        scripts::queue_match(), {keys::queue_prefix},
        {std::to_string(now_ms()), std::to_string(svc_.cfg.offer_timeout.count()), offer_id},
        [self = shared_from_this()](redis::value v) {
            if (v.failed() || v.is_nil() || v.elements.size() != 8) {
                if (v.is_error()) log::error("match_failed", {{"error", v.str}});
                self->running_ = false;
                if (self->again_ && !v.failed()) self->kick();
                return;
            }
            auto& e = v.elements;
            nlohmann::json offer{{"e", "offer"},
                                 {"offer_id", e[0].str},
                                 {"topic", e[4].str},
                                 {"urgent", e[5].str == "1"},
                                 {"expires_in_ms", self->svc_.cfg.offer_timeout.count()}};
            self->svc_.routes->send_event(e[3].str, e[2].str, std::move(offer));
            self->match_one();
        });
}

void matcher::expire_offers() {
    svc_.redis->eval(scripts::offers_expire(), {keys::queue_prefix},
                     {std::to_string(now_ms()), "1"},
                     [self = shared_from_this()](redis::value v) {
                         if (v.failed()) return;
                         auto& e = v.elements;
                         for (std::size_t i = 0; i + 2 < e.size(); i += 3) {
                             self->svc_.routes->send_event(
                                 e[i + 2].str, e[i + 1].str,
                                 {{"e", "offer_withdrawn"}, {"offer_id", e[i].str}, {"reason", "expired"}, {"away", true}});
                         }
                         if (!e.empty()) self->kick();
                     });
}

} // namespace peerline
