// An allocator that makes Asio allocate a handler's operation at its own
// size, bypassing the per-thread recycling cache (see below for why).
#pragma once

#include <cstddef>
#include <memory>

namespace peerline {

// Asio allocates an operation through its per-thread cache when the handler's
// allocator is std::allocator (the default): a cached block is reused if it is
// large enough, however large it is. A long-lived operation (the idle read)
// then keeps a block left over from a larger, short-lived one (the upgrade's
// writes) for as long as the connection waits. Any other allocator type is
// used as it is: the operation gets a block of its own size.
template <class T> struct exact_allocator {
    using value_type = T;
    exact_allocator() noexcept = default;
    template <class U> exact_allocator(const exact_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }
    template <class U> bool operator==(const exact_allocator<U>&) const noexcept { return true; }
    template <class U> bool operator!=(const exact_allocator<U>&) const noexcept { return false; }
};

} // namespace peerline
