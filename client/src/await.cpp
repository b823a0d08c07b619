// See await.hpp.
#include "await.hpp"

namespace peerline::client::detail {

bool run_until(net::io_context& ioc, clock::time_point deadline,
               const std::function<bool()>& done) {
    while (!done()) {
        // A previous run may have stopped the context by running out of work.
        if (ioc.stopped())
            ioc.restart();
        if (ioc.run_one_until(deadline) == 0) {
            // Either the deadline passed or there is no work left.
            break;
        }
    }
    return done();
}

} // namespace peerline::client::detail
