#include "core/clock.hpp"

#include <atomic>

namespace peerline::clock {

namespace {
std::atomic<long long> offset{0};
}

std::chrono::system_clock::time_point now() {
    return std::chrono::system_clock::now() + std::chrono::milliseconds(offset.load(std::memory_order_relaxed));
}

long long now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
}

void set_offset_ms(long long offset_ms) { offset.store(offset_ms, std::memory_order_relaxed); }

long long offset_ms() { return offset.load(std::memory_order_relaxed); }

} // namespace peerline::clock
