#include "domain/sessions/login_throttle.hpp"

#include <algorithm>

namespace peerline::login_throttle {

std::chrono::milliseconds delay_after(long long failures, long long free_attempts,
                                      std::chrono::milliseconds first_delay, std::chrono::milliseconds cap) {
    if (failures < free_attempts || first_delay.count() <= 0) return std::chrono::milliseconds{0};
    auto delay = first_delay;
    // Doubling stops at the cap, so no shift can overflow whatever the count.
    for (long long extra = failures - free_attempts; extra > 0 && delay < cap; --extra) delay *= 2;
    return std::min(delay, cap);
}

std::chrono::milliseconds wait_before_next(long long failures, long long last_failure_ms, long long now_ms,
                                           long long free_attempts, std::chrono::milliseconds first_delay,
                                           std::chrono::milliseconds cap) {
    auto delay = delay_after(failures, free_attempts, first_delay, cap);
    if (delay.count() == 0) return delay;
    const long long allowed_at = last_failure_ms + delay.count();
    // Never longer than the delay itself, even if the clock went back.
    return std::chrono::milliseconds{std::clamp(allowed_at - now_ms, 0LL, static_cast<long long>(delay.count()))};
}

} // namespace peerline::login_throttle
