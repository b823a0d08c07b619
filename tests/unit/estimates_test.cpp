#include "domain/estimates.hpp"

#include <catch2/catch.hpp>

using namespace peerline::estimates;

TEST_CASE("with too few recent matches the wait estimate says it does not know", "[estimates]") {
    CHECK_FALSE(wait_seconds(3, 0, 0, 1'000'000, 0));
    CHECK_FALSE(wait_seconds(3, 2, 500'000, 1'000'000, 0));
}

TEST_CASE("a request with a free listener for everyone ahead waits about nothing", "[estimates]") {
    CHECK(wait_seconds(1, 0, 0, 1'000'000, 1) == 0u);
    CHECK(wait_seconds(2, 0, 0, 1'000'000, 3) == 0u);
}

TEST_CASE("the wait estimate grows with the position and shrinks with throughput", "[estimates]") {
    const long long now = 10'000'000;
    // 12 matches over the last hour: one every 5 minutes.
    auto third = wait_seconds(3, 12, now - 3'600'000, now, 0);
    REQUIRE(third);
    CHECK(*third == 900u);
    auto sixth = wait_seconds(6, 12, now - 3'600'000, now, 0);
    REQUIRE(sixth);
    CHECK(*sixth == 1800u);
    // Twice the throughput, half the wait.
    CHECK(wait_seconds(6, 24, now - 3'600'000, now, 0) == 900u);
    // A listener already free serves the first request ahead.
    CHECK(wait_seconds(3, 12, now - 3'600'000, now, 1) == 600u);
}

TEST_CASE("a burst of matches a moment ago is not extrapolated to a tiny wait", "[estimates]") {
    const long long now = 10'000'000;
    auto w = wait_seconds(10, 3, now - 1'000, now, 0); // 3 matches in one second
    REQUIRE(w);
    CHECK(*w >= 900u); // the window counts as at least 5 minutes
}

TEST_CASE("estimates are capped and rounded up to half-minutes", "[estimates]") {
    const long long now = 100'000'000;
    CHECK(wait_seconds(1000, 3, now - 3'600'000, now, 0) == 4u * 3600u);
    auto w = wait_seconds(1, 7, now - 3'600'000, now, 0); // 514 s
    REQUIRE(w);
    CHECK(*w % 30 == 0);
    CHECK(*w >= 514u);
}

TEST_CASE("histogram quantiles name the bucket that holds them", "[estimates]") {
    std::vector<std::uint32_t> bounds{10, 30, 60};
    CHECK_FALSE(histogram_quantile(bounds, {0, 0, 0, 0}, 0.5));
    CHECK(histogram_quantile(bounds, {5, 3, 2, 0}, 0.5) == 10u);
    CHECK(histogram_quantile(bounds, {5, 3, 2, 0}, 0.9) == 60u);
    CHECK(histogram_quantile(bounds, {1, 0, 0, 1}, 0.5) == 10u);
    CHECK_FALSE(histogram_quantile(bounds, {1, 0, 0, 1}, 0.99)); // above the last bound
    CHECK_FALSE(histogram_quantile(bounds, {1, 2}, 0.5));         // malformed
}
