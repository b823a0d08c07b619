// How long a sign-in must wait after failed attempts (pure; no I/O).
//
// Failed sign-ins are counted in three places (docs/CRYPTO.md, "Sign-in
// throttling"):
//   - per client address, all accounts: a fixed window, then refused until it
//     ends (password spraying from one place);
//   - per account, from clients that hold no device token for it
//     ("untrusted"): after `free_attempts` failures, every further attempt
//     waits a growing delay after the last failure;
//   - per device token: the same growing delay, counted for that token alone,
//     so a listener on their usual browser is never slowed by someone
//     guessing from elsewhere (OWASP's "device cookies").
// An attacker can therefore slow down sign-ins from new devices, never lock a
// listener or an administrator out of the browser they already use.
#pragma once

#include <chrono>

namespace peerline::login_throttle {

// The delay after `failures` failures (0 while failures < free_attempts):
// first_delay, then doubling with each further failure, capped at `cap`.
std::chrono::milliseconds delay_after(long long failures, long long free_attempts,
                                      std::chrono::milliseconds first_delay, std::chrono::milliseconds cap);

// How long from `now_ms` until the next attempt is allowed (0 = now), given
// the failures counted and the time of the last one.
std::chrono::milliseconds wait_before_next(long long failures, long long last_failure_ms, long long now_ms,
                                           long long free_attempts, std::chrono::milliseconds first_delay,
                                           std::chrono::milliseconds cap);

} // namespace peerline::login_throttle
