// Honest numbers for people: a GP's estimated wait and percentiles of the
// administrators' histograms. Pure functions, unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace peerline::estimates {

// Estimated wait in seconds for a request at `position` (1 = next), from the
// conversations matched in the last hour. nullopt when there is too little
// data to say anything honest (fewer than 3 matches in the hour). 0 when a
// listener is free for every request ahead and this one.
std::optional<std::uint32_t> wait_seconds(std::uint32_t position, std::uint32_t matches_last_hour,
                                          long long oldest_match_ms, long long now_ms,
                                          std::uint32_t listeners_available);

// The q-quantile (0 < q <= 1) of a histogram with bucket upper bounds
// `bounds` (ascending; counts has one more entry for "above the last
// bound"). Returns the upper bound of the bucket holding the quantile, or
// nullopt if there are no observations or it falls above the last bound.
std::optional<std::uint32_t> histogram_quantile(const std::vector<std::uint32_t>& bounds,
                                                const std::vector<std::uint64_t>& counts, double q);

} // namespace peerline::estimates
