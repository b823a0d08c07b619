// Child processes for tests: spawn with stdin/stdout/stderr redirected to
// files, signal, wait with a timeout, always reaped.
//
// Children get SIGKILL if the test process dies (PR_SET_PDEATHSIG), so a test
// killed by ctest's timeout leaves no redis-server or peerline behind.
// PEERLINE_* variables are removed from the children's environment so that a
// developer's shell settings cannot change what a test runs.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace peerline::test_support {

struct exit_status {
    bool exited = false; // exited normally (then `code`), else killed by `signal`
    int code = -1;
    int signal = 0;

    bool success() const noexcept { return exited && code == 0; }
    std::string describe() const; // "exit code 0", "killed by signal 9 (Killed)"
};

struct spawn_options {
    std::vector<std::string> argv;     // argv[0] is the executable's path
    std::filesystem::path stdin_file;  // empty: /dev/null
    std::filesystem::path stdout_file; // empty: /dev/null
    std::filesystem::path stderr_file; // empty: /dev/null
    bool append_output = false;        // append instead of truncating (restarts)
};

class child_process {
  public:
    child_process() = default;
    // Starts the process; throws std::runtime_error if it cannot.
    explicit child_process(const spawn_options& opts);
    // Kills (SIGKILL) and reaps a child that is still running.
    ~child_process();
    child_process(child_process&& other) noexcept;
    child_process& operator=(child_process&& other) noexcept;
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const noexcept { return pid_; }
    // True while started and not yet exited (reaps it if it has exited).
    bool running();
    // The exit status once it has been reaped.
    const std::optional<exit_status>& status() const noexcept { return status_; }

    void send_signal(int sig);
    // Waits up to `timeout` for the exit; nullopt if still running.
    std::optional<exit_status> wait_for(std::chrono::milliseconds timeout);
    // SIGTERM, wait `grace`, then SIGKILL. Returns how it ended.
    exit_status stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
    // SIGKILL and reap.
    exit_status kill();

  private:
    bool poll();

    pid_t pid_ = -1;
    std::optional<exit_status> status_;
};

struct command_result {
    exit_status status;
    std::string out;
    std::string err;
};

// Runs a command to completion with `input` on its stdin; output is captured
// through files in `scratch_dir`. A command still running after `timeout` is
// killed (the status then says so).
command_result run_command(const std::vector<std::string>& argv, const std::string& input,
                           const std::filesystem::path& scratch_dir,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30));

} // namespace peerline::test_support
