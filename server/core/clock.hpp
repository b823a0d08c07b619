// The node's wall clock. Everything that decides by the date (queue order,
// offer deadlines, the rota, mentoring offers that last days, bookings
// months ahead) reads it here, so a test can move it forward instead of
// waiting: with `--test-clock` (loopback only, never in production) the
// test sets an offset through PUT /api/test/clock. Redis's own key expiry
// (session tokens, rate-limit windows) keeps real time.
#pragma once

#include <chrono>

namespace peerline::clock {

// Real time plus the test offset (0 unless a test set one).
std::chrono::system_clock::time_point now();
// now() as milliseconds since the Unix epoch.
long long now_ms();

// Sets the test offset. Thread-safe; takes effect at the next now().
void set_offset_ms(long long offset_ms);
long long offset_ms();

} // namespace peerline::clock
