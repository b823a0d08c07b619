// The sign-in throttle's delays: free attempts, then a delay that doubles
// with each failure up to the cap, counted from the last failure.
#include "domain/sessions/login_throttle.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using peerline::login_throttle::delay_after;
using peerline::login_throttle::wait_before_next;

TEST_CASE("no delay before the free attempts are used up", "[login_throttle]") {
    for (long long n = 0; n < 5; ++n) CHECK(delay_after(n, 5, 30s, 900s) == 0ms);
}

TEST_CASE("the delay doubles from the first delay and stops at the cap", "[login_throttle]") {
    CHECK(delay_after(5, 5, 30s, 900s) == 30s);
    CHECK(delay_after(6, 5, 30s, 900s) == 60s);
    CHECK(delay_after(7, 5, 30s, 900s) == 120s);
    CHECK(delay_after(9, 5, 30s, 900s) == 480s);
    CHECK(delay_after(10, 5, 30s, 900s) == 900s); // 960 s, capped
    CHECK(delay_after(1'000'000'000'000LL, 5, 30s, 900s) == 900s);
}

TEST_CASE("the wait is counted from the last failure", "[login_throttle]") {
    const long long last = 1'000'000;
    CHECK(wait_before_next(5, last, last, 5, 30s, 900s) == 30s);
    CHECK(wait_before_next(5, last, last + 29'999, 5, 30s, 900s) == 1ms);
    CHECK(wait_before_next(5, last, last + 30'000, 5, 30s, 900s) == 0ms);
    CHECK(wait_before_next(6, last, last + 10'000, 5, 30s, 900s) == 50s);
    CHECK(wait_before_next(4, last, last, 5, 30s, 900s) == 0ms);
    // A clock that went back never makes the wait longer than the delay.
    CHECK(wait_before_next(5, last, last - 5'000, 5, 30s, 900s) == 30s);
}
