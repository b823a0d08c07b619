#include "domain/frame_pool.hpp"

#include <cstddef>
#include <new>
#include <vector>

namespace peerline::frame_pool {

namespace {

// Bounds: a thread keeps at most this many spare strings and blocks, and
// never keeps a string whose buffer grew past max_kept_capacity (a rare
// large frame is freed, not hoarded).
constexpr std::size_t max_spares = 256;
constexpr std::size_t max_kept_capacity = 64 * 1024;

struct thread_lists {
    std::vector<std::string*> strings;
    std::vector<void*> blocks; // shared_ptr control blocks, all of one size
    std::size_t block_size = 0;

    ~thread_lists() {
        for (auto* s : strings) delete s;
        for (auto* b : blocks) ::operator delete(b);
    }
};

thread_lists& lists() {
    thread_local thread_lists l;
    return l;
}

// Hands out shared_ptr control blocks from the thread's list. Only one
// control block type is ever allocated through it (see copy()), so one size.
template <class T> struct block_allocator {
    using value_type = T;
    block_allocator() = default;
    template <class U> block_allocator(const block_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        auto bytes = n * sizeof(T);
        auto& l = lists();
        if (bytes == l.block_size && !l.blocks.empty()) {
            void* b = l.blocks.back();
            l.blocks.pop_back();
            return static_cast<T*>(b);
        }
        return static_cast<T*>(::operator new(bytes));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        auto bytes = n * sizeof(T);
        auto& l = lists();
        if (l.block_size == 0) l.block_size = bytes;
        if (bytes == l.block_size && l.blocks.size() < max_spares) {
            try {
                l.blocks.push_back(p);
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
        auto& l = lists();
        if (s->capacity() <= max_kept_capacity && l.strings.size() < max_spares) {
            try {
                l.strings.push_back(s);
                return;
            } catch (...) {
            }
        }
        delete s;
    }
};

} // namespace

std::shared_ptr<std::string> copy(std::string_view bytes) {
    auto& l = lists();
    std::string* s = nullptr;
    if (!l.strings.empty()) {
        s = l.strings.back();
        l.strings.pop_back();
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

std::size_t spare_strings() { return lists().strings.size(); }
std::size_t spare_blocks() { return lists().blocks.size(); }

} // namespace peerline::frame_pool
