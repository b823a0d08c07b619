#include "domain/frame_pool.hpp"

#include <cstddef>
#include <new>
#include <vector>

namespace peerline::frame_pool {

namespace {

// Bounds per thread: at most max_spares strings and blocks, strings of at
// most max_kept_capacity each and max_kept_bytes of string buffers in all
// (a burst of large frames is freed, not hoarded).
constexpr std::size_t max_spares = 256;
constexpr std::size_t max_kept_capacity = 16 * 1024;
constexpr std::size_t max_kept_bytes = 1024 * 1024;

struct thread_lists {
    std::vector<std::string*> strings;
    std::size_t string_bytes = 0; // capacity of the kept strings
    std::vector<void*> blocks;    // shared_ptr control blocks, all of one size
    std::size_t block_size = 0;
    bool alive = true; // false once the thread's lists are destroyed

    ~thread_lists() {
        alive = false;
        for (auto* s : strings) delete s;
        for (auto* b : blocks) ::operator delete(b);
        strings.clear();
        blocks.clear();
    }
};

thread_local thread_lists lists_of_this_thread;

// The thread's lists, or null after they were destroyed (a frame released
// while the thread exits is simply freed).
thread_lists* lists() { return lists_of_this_thread.alive ? &lists_of_this_thread : nullptr; }

// Hands out shared_ptr control blocks from the thread's list. Only one
// control block type is ever allocated through it (see copy()), so one size.
template <class T> struct block_allocator {
    using value_type = T;
    block_allocator() = default;
    template <class U> block_allocator(const block_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        auto bytes = n * sizeof(T);
        auto* l = lists();
        if (l && bytes == l->block_size && !l->blocks.empty()) {
            void* b = l->blocks.back();
            l->blocks.pop_back();
            return static_cast<T*>(b);
        }
        return static_cast<T*>(::operator new(bytes));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        auto bytes = n * sizeof(T);
        auto* l = lists();
        if (l && l->block_size == 0) l->block_size = bytes;
        if (l && bytes == l->block_size && l->blocks.size() < max_spares) {
            try {
                l->blocks.push_back(p);
                return;
            } catch (...) {
            }
        }
        ::operator delete(p);
    }
    template <class U> bool operator==(const block_allocator<U>&) const noexcept { return true; }
    template <class U> bool operator!=(const block_allocator<U>&) const noexcept { return false; }
};

struct return_string {
    void operator()(std::string* s) const noexcept {
        auto* l = lists();
        auto cap = s->capacity();
        if (l && cap <= max_kept_capacity && l->strings.size() < max_spares &&
            l->string_bytes + cap <= max_kept_bytes) {
            try {
                l->strings.push_back(s);
                l->string_bytes += cap;
                return;
            } catch (...) {
            }
        }
        delete s;
    }
};

} // namespace

std::shared_ptr<std::string> copy(std::string_view bytes) {
    auto* l = lists();
    std::string* s = nullptr;
    if (l && !l->strings.empty()) {
        s = l->strings.back();
        l->strings.pop_back();
        l->string_bytes -= s->capacity();
    } else {
        s = new std::string();
    }
    try {
        s->assign(bytes.data(), bytes.size());
    } catch (...) {
        delete s;
        throw;
    }
    // If the control block cannot be allocated, the constructor hands the
    // string to return_string itself.
    return std::shared_ptr<std::string>(s, return_string{}, block_allocator<std::string>{});
}

std::size_t spare_strings() { return lists() ? lists()->strings.size() : 0; }
std::size_t spare_blocks() { return lists() ? lists()->blocks.size() : 0; }
std::size_t spare_string_bytes() { return lists() ? lists()->string_bytes : 0; }

} // namespace peerline::frame_pool
