#include "domain/estimates.hpp"

#include <algorithm>
#include <cmath>

namespace peerline::estimates {

namespace {
constexpr std::uint32_t min_matches = 3;
constexpr double min_window_s = 300;      // do not extrapolate from a few seconds
constexpr double max_estimate_s = 4 * 3600;
} // namespace

std::optional<std::uint32_t> wait_seconds(std::uint32_t position, std::uint32_t matches_last_hour,
                                          long long oldest_match_ms, long long now_ms,
                                          std::uint32_t listeners_available) {
    if (position == 0) return std::nullopt;
    if (listeners_available >= position) return 0;
    if (matches_last_hour < min_matches || oldest_match_ms <= 0 || now_ms <= oldest_match_ms)
        return std::nullopt;
    double window_s = std::max(min_window_s, static_cast<double>(now_ms - oldest_match_ms) / 1000.0);
    double per_second = matches_last_hour / window_s;
    double ahead = static_cast<double>(position - listeners_available);
    double estimate = std::min(max_estimate_s, ahead / per_second);
    // Round up to a whole half-minute: precise-looking seconds would be false precision.
    return static_cast<std::uint32_t>(std::ceil(estimate / 30.0) * 30.0);
}

std::optional<std::uint32_t> histogram_quantile(const std::vector<std::uint32_t>& bounds,
                                                const std::vector<std::uint64_t>& counts, double q) {
    if (counts.size() != bounds.size() + 1 || q <= 0 || q > 1) return std::nullopt;
    std::uint64_t total = 0;
    for (auto c : counts) total += c;
    if (total == 0) return std::nullopt;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        seen += counts[i];
        if (seen >= rank) return bounds[i];
    }
    return std::nullopt;
}

} // namespace peerline::estimates
