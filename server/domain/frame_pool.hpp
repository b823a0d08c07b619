// Relay frame buffers without a heap allocation per frame.
//
// Every relayed frame is copied once, into a shared buffer the partner's
// write queue holds until the bytes are on the wire. Made with make_shared,
// that is two allocations and two frees per frame (the control block with the
// string, and the string's own 1 KiB buffer). Here both are recycled: the
// string (with its capacity) and the shared_ptr control block come from
// small per-thread free lists and go back to the list of whichever thread
// drops the last reference. Each list is touched only by its own thread, so
// no locking; the lists are bounded (256 spares, strings up to 16 KiB and
// 1 MiB of string buffers per thread), so a burst leaves little behind.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace peerline::frame_pool {

// A shared copy of `bytes` (the caller may still write to it before sharing
// it, e.g. to rewrite the channel).
std::shared_ptr<std::string> copy(std::string_view bytes);

// Strings and control blocks kept for reuse on this thread (for tests).
std::size_t spare_strings();
std::size_t spare_blocks();
std::size_t spare_string_bytes(); // capacity of the spare strings

} // namespace peerline::frame_pool
