#include "domain/trust/trust_store.hpp"

#include "domain/keys.hpp"
#include "domain/scripts.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>

namespace peerline {

namespace {
constexpr auto use_awaitable = boost::asio::use_awaitable;

std::uint64_t to_u64(const std::string& text) { return std::strtoull(text.c_str(), nullptr, 10); }

// A field of an HGETALL reply (empty when absent).
std::string field(const redis::value& hash, std::string_view name) {
    for (std::size_t i = 0; i + 1 < hash.elements.size(); i += 2)
        if (hash.elements[i].str == name) return hash.elements[i + 1].str;
    return {};
}
} // namespace

// (Commands are built as named locals: GCC 12 miscompiles braced lists
// inside co_await.)

auto trust_store::listener(std::string username) -> awaitable<std::optional<listener_material>> {
    std::vector<std::string> get_enrolment{"HGETALL", keys::enrolment(username)};
    auto enrolment = co_await redis_.async_exec(std::move(get_enrolment), use_awaitable);
    std::vector<std::string> get_cert{"HGETALL", keys::certificate(username)};
    auto cert = co_await redis_.async_exec(std::move(get_cert), use_awaitable);
    if (enrolment.failed() || cert.failed()) co_return std::nullopt;
    co_return listener_material{field(enrolment, "data"), field(cert, "data"), field(cert, "enrolment"),
                                field(cert, "serial"), to_u64(field(cert, "not_after"))};
}

auto trust_store::submit_enrolment(std::string username, std::string request, std::uint64_t now_s)
    -> awaitable<bool> {
    std::vector<std::string> put{"HSET", keys::enrolment(username), "data", std::move(request), "submitted_s",
                                 std::to_string(now_s)};
    auto v = co_await redis_.async_exec(std::move(put), use_awaitable);
    co_return !v.failed();
}

auto trust_store::store_certificate(std::string username, std::string certificate, std::string enrolment,
                                    std::uint64_t serial, std::uint64_t not_after_s) -> awaitable<bool> {
    std::vector<std::string> put{"HSET",      keys::certificate(username), "data",   std::move(certificate),
                                 "enrolment", std::move(enrolment),        "serial", std::to_string(serial),
                                 "not_after", std::to_string(not_after_s)};
    auto v = co_await redis_.async_exec(std::move(put), use_awaitable);
    co_return !v.failed();
}

auto trust_store::published() -> awaitable<std::optional<published_state>> {
    std::vector<std::string> get_list{"HMGET", keys::revocation_list, "data", "number", "next_update"};
    auto list = co_await redis_.async_exec(std::move(get_list), use_awaitable);
    std::vector<std::string> get_delegation{"HGET", keys::revocation_delegation, "data"};
    auto delegation = co_await redis_.async_exec(std::move(get_delegation), use_awaitable);
    std::vector<std::string> get_dir{"HMGET", keys::directory, "data", "number"};
    auto dir = co_await redis_.async_exec(std::move(get_dir), use_awaitable);
    if (list.failed() || delegation.failed() || dir.failed() || list.elements.size() != 3 ||
        dir.elements.size() != 2)
        co_return std::nullopt;
    published_state out;
    out.revocation_list = list.elements[0].str;
    out.list_number = to_u64(list.elements[1].str);
    out.list_next_update_s = to_u64(list.elements[2].str);
    out.delegation = delegation.str;
    out.directory = dir.elements[0].str;
    out.directory_number = to_u64(dir.elements[1].str);
    co_return out;
}

auto trust_store::replace(std::string key, std::string text, std::uint64_t number, std::uint64_t next_update_s)
    -> awaitable<std::optional<bool>> {
    std::vector<std::string> keys_arg{std::move(key)};
    std::vector<std::string> args{std::move(text), std::to_string(number), std::to_string(next_update_s)};
    auto v = co_await redis_.async_eval(scripts::revocation_list_replace(), std::move(keys_arg), std::move(args),
                                        use_awaitable);
    if (v.failed()) co_return std::nullopt;
    co_return v.integer == 1;
}

auto trust_store::replace_directory(std::string directory, std::uint64_t number)
    -> awaitable<std::optional<bool>> {
    return replace(keys::directory, std::move(directory), number, 0);
}

auto trust_store::replace_revocation_list(std::string list, std::uint64_t number, std::uint64_t next_update_s)
    -> awaitable<std::optional<bool>> {
    return replace(keys::revocation_list, std::move(list), number, next_update_s);
}

auto trust_store::store_delegation(std::string delegation) -> awaitable<bool> {
    std::vector<std::string> put{"HSET", keys::revocation_delegation, "data", std::move(delegation)};
    auto v = co_await redis_.async_exec(std::move(put), use_awaitable);
    co_return !v.failed();
}

} // namespace peerline
