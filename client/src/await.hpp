// Runs one asynchronous operation to completion on the calling thread, with a
// deadline. This is how the client stays synchronous for its users without
// ever blocking forever: the io_context runs only inside these calls.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace peerline::client::detail {

namespace net = boost::asio;
using error_code = boost::system::error_code;
using clock = std::chrono::steady_clock;

// Runs handlers on `ioc` until done() holds or the deadline passes. Returns
// done(). Returns early (false) if the io_context runs out of work, since
// then done() can never become true.
bool run_until(net::io_context& ioc, clock::time_point deadline, const std::function<bool()>& done);

// How long to wait for a cancelled operation's handler after a timeout.
inline constexpr std::chrono::seconds cancel_grace{2};

// Starts an operation with initiate(handler) and waits for its handler up to
// `deadline`. On timeout calls cancel() (which must make the operation finish,
// typically by closing the socket), waits briefly for the handler and returns
// net::error::timed_out. The handler's state is shared, so a handler that
// still runs later touches nothing that is gone.
template <class Initiate, class Cancel>
error_code await(net::io_context& ioc, clock::time_point deadline, Initiate&& initiate,
                 Cancel&& cancel) {
    auto result = std::make_shared<std::optional<error_code>>();
    initiate([result](error_code ec, auto&&...) { *result = ec; });
    if (run_until(ioc, deadline, [&] { return result->has_value(); }))
        return **result;
    cancel();
    run_until(ioc, clock::now() + cancel_grace, [&] { return result->has_value(); });
    return net::error::make_error_code(net::error::timed_out);
}

} // namespace peerline::client::detail
