// Relay frame buffers are recycled per thread, bounded, and never shared
// between two live frames.
#include "domain/frame_pool.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace peerline;

TEST_CASE("a pooled frame is an independent copy of the bytes", "[frame_pool]") {
    std::string original(1024, 'a');
    auto f = frame_pool::copy(original);
    REQUIRE(*f == original);
    (*f)[0] = 'b';
    CHECK(original[0] == 'a');
    auto g = frame_pool::copy("xyz");
    CHECK(*g == "xyz");
    CHECK(f->data() != g->data());
}

TEST_CASE("a released frame's buffer and control block are reused by the next frame", "[frame_pool]") {
    const char* first_bytes = nullptr;
    {
        auto f = frame_pool::copy(std::string(1024, 'x'));
        first_bytes = f->data();
    }
    auto strings = frame_pool::spare_strings();
    auto blocks = frame_pool::spare_blocks();
    REQUIRE(strings >= 1);
    REQUIRE(blocks >= 1);
    auto g = frame_pool::copy("short");
    CHECK(frame_pool::spare_strings() == strings - 1);
    CHECK(frame_pool::spare_blocks() == blocks - 1);
    CHECK(*g == "short");
    CHECK(g->capacity() >= 1024); // the recycled string kept its buffer
    CHECK(g->data() == first_bytes);
}

TEST_CASE("the pool keeps a bounded number of spares and no large buffers", "[frame_pool]") {
    {
        std::vector<std::shared_ptr<std::string>> alive;
        for (int i = 0; i < 1000; ++i) alive.push_back(frame_pool::copy(std::string(512, 'y')));
    }
    CHECK(frame_pool::spare_strings() <= 256);
    CHECK(frame_pool::spare_blocks() <= 256);
    CHECK(frame_pool::spare_strings() > 0);

    auto before = frame_pool::spare_strings();
    { auto big = frame_pool::copy(std::string(1024 * 1024, 'z')); } // reuses a spare, grows it
    CHECK(frame_pool::spare_strings() == before - 1);                // the grown one was freed
}

TEST_CASE("a burst of large frames leaves at most a megabyte of buffers behind", "[frame_pool]") {
    {
        std::vector<std::shared_ptr<std::string>> alive;
        for (int i = 0; i < 200; ++i) alive.push_back(frame_pool::copy(std::string(15 * 1024, 'w')));
    }
    CHECK(frame_pool::spare_string_bytes() <= 1024 * 1024);
    CHECK(frame_pool::spare_strings() >= 50); // 1 MiB holds about 68 of them: kept, not all freed
}
