// `peerline admin --redis URL ...`: creating and disabling accounts and
// adding rota shifts the way an operator does, by running the real binary.
// Passwords go through stdin (--password-stdin), never the command line, and
// are hashed at the minimum cost, like the test server's
// (--password-hash-cost minimum), to keep tests fast.
#pragma once

#include "peerline/test_support/child_process.hpp"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace peerline::test_support {

class admin_cli {
  public:
    admin_cli(std::filesystem::path binary, std::string redis_url,
              std::filesystem::path scratch_dir)
        : binary_(std::move(binary)), redis_url_(std::move(redis_url)),
          scratch_(std::move(scratch_dir)) {}

    // Runs `peerline admin --redis URL args...` with `input` on stdin.
    command_result run(const std::vector<std::string>& args, const std::string& input = {}) const;

    // These throw std::runtime_error with the command's output unless it exits 0.
    void create_listener(const std::string& name, const std::string& password) const;
    void create_admin(const std::string& name, const std::string& password) const;
    void disable(const std::string& name) const;
    // A rota shift for `name` covering every day, all day: the listener is
    // on shift whenever a test runs.
    void add_shift_always(const std::string& name) const;

  private:
    void run_ok(const std::vector<std::string>& args, const std::string& input) const;

    std::filesystem::path binary_;
    std::string redis_url_;
    std::filesystem::path scratch_;
};

} // namespace peerline::test_support
