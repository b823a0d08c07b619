// Small file helpers for reading logs and scanning for leaked secrets.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace peerline::test_support {

// The whole file, or "" if it does not exist.
std::string read_file(const std::filesystem::path& p);

void write_file(const std::filesystem::path& p, std::string_view contents);

// The last `n` lines of `text`.
std::string tail_lines(std::string_view text, std::size_t n);

// The lines of `text` that contain `needle`.
std::vector<std::string> lines_containing(std::string_view text, std::string_view needle);

// Every regular file under `dir` (recursively) whose bytes contain `needle`.
std::vector<std::filesystem::path> files_containing(const std::filesystem::path& dir,
                                                    std::string_view needle);

// A random string of lowercase hex, e.g. for canaries and passwords.
std::string random_hex(std::size_t bytes);

// Polls pred() every `every` until it returns true or `timeout` passes;
// returns its last result. For waiting on state changes without fixed sleeps.
template <class Pred>
bool eventually(Pred&& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every = std::chrono::milliseconds(50)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (pred())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(every);
    }
}

} // namespace peerline::test_support
