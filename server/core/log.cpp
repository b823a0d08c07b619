#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <unistd.h>

namespace peerline::log {
namespace {
std::atomic<int> g_level{static_cast<int>(level::info)};
std::mutex g_write_mutex;

const char* name_of(level l) {
    switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
    }
    return "info";
}

std::string utc_timestamp() {
    using namespace std::chrono;
    auto now = system_clock::now();
    auto secs = system_clock::to_time_t(now);
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[40];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
    return out;
}
} // namespace

void set_level(level l) noexcept { g_level.store(static_cast<int>(l)); }

bool parse_level(std::string_view text, level& out) noexcept {
    for (level l : {level::debug, level::info, level::warn, level::error}) {
        if (text == name_of(l)) {
            out = l;
            return true;
        }
    }
    return false;
}

bool enabled(level l) noexcept { return static_cast<int>(l) >= g_level.load(); }

void write(level l, std::string_view event, const nlohmann::json& fields) {
    if (!enabled(l)) return;
    nlohmann::ordered_json line;
    line["ts"] = utc_timestamp();
    line["level"] = name_of(l);
    line["event"] = event;
    if (fields.is_object()) {
        for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
    }
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    std::lock_guard lock(g_write_mutex);
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n <= 0) break;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

} // namespace peerline::log
