// See child_process.hpp. fork/exec rather than posix_spawn because the child
// must set PR_SET_PDEATHSIG and mark inherited descriptors close-on-exec
// before exec; only async-signal-safe calls run between fork and exec.
#include "peerline/test_support/child_process.hpp"

#include "peerline/test_support/files.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

extern char** environ;

namespace peerline::test_support {

namespace {

exit_status decode_wait_status(int status) {
    exit_status s;
    if (WIFEXITED(status)) {
        s.exited = true;
        s.code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        s.signal = WTERMSIG(status);
    }
    return s;
}

// The parent's environment minus PEERLINE_* (see the header).
std::vector<std::string> child_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        if (std::string_view(*e).rfind("PEERLINE_", 0) != 0)
            env.emplace_back(*e);
    }
    return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Opens `path` (or /dev/null) as descriptor `target` in the child.
bool redirect(const std::filesystem::path& path, int target, int flags) {
    const char* name = path.empty() ? "/dev/null" : path.c_str();
    int fd = ::open(name, flags | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    // dup2 clears O_CLOEXEC on the new descriptor.
    bool ok = ::dup2(fd, target) == target;
    ::close(fd);
    return ok;
}

[[noreturn]] void child_fail(int report_fd) {
    int err = errno;
    ssize_t ignored = ::write(report_fd, &err, sizeof err);
    (void)ignored;
    ::_exit(127);
}

} // namespace

std::string exit_status::describe() const {
    if (exited)
        return "exit code " + std::to_string(code);
    if (signal != 0) {
        return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
    }
    return "unknown status";
}

child_process::child_process(const spawn_options& opts) {
    if (opts.argv.empty())
        throw std::invalid_argument("child_process: empty argv");
    // Everything the child needs is prepared before fork.
    std::vector<std::string> args = opts.argv;
    std::vector<std::string> env = child_environment();
    std::vector<char*> argv = c_strings(args);
    std::vector<char*> envp = c_strings(env);
    int out_flags = O_WRONLY | O_CREAT | (opts.append_output ? O_APPEND : O_TRUNC);

    // The child writes its errno here if it fails before exec; a successful
    // exec closes the pipe (O_CLOEXEC) and the parent reads EOF.
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    }
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
        int err = errno;
        ::close(report[0]);
        ::close(report[1]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(err));
    }
    if (pid == 0) {
        ::close(report[0]);
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
            child_fail(report[1]);
        if (::getppid() != parent)
            ::_exit(127); // the test already died
        sigset_t all;
        sigemptyset(&all);
        ::sigprocmask(SIG_SETMASK, &all, nullptr);
        if (!redirect(opts.stdin_file, 0, O_RDONLY) || !redirect(opts.stdout_file, 1, out_flags) ||
            !redirect(opts.stderr_file, 2, out_flags)) {
            child_fail(report[1]);
        }
        // Sockets of the test (WebSocket clients, listeners) must not leak
        // into the child: a leaked copy would keep a connection alive after
        // the test closed it.
        if (::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
            for (int fd = 3; fd < 4096; ++fd)
                ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        ::execve(argv[0], argv.data(), envp.data());
        child_fail(report[1]);
    }
    ::close(report[1]);
    int child_errno = 0;
    ssize_t n;
    do {
        n = ::read(report[0], &child_errno, sizeof child_errno);
    } while (n < 0 && errno == EINTR);
    ::close(report[0]);
    pid_ = pid;
    if (n > 0) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid_ = -1;
        throw std::runtime_error("cannot start " + opts.argv[0] + ": " +
                                 std::strerror(child_errno));
    }
}

child_process::~child_process() {
    if (pid_ > 0 && !status_)
        kill();
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::exchange(other.status_, std::nullopt)) {}

child_process& child_process::operator=(child_process&& other) noexcept {
    if (this != &other) {
        if (pid_ > 0 && !status_)
            kill();
        pid_ = std::exchange(other.pid_, -1);
        status_ = std::exchange(other.status_, std::nullopt);
    }
    return *this;
}

bool child_process::poll() {
    if (pid_ <= 0 || status_)
        return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        status_ = decode_wait_status(status);
        return false;
    }
    return true;
}

bool child_process::running() {
    return poll();
}

void child_process::send_signal(int sig) {
    if (poll())
        ::kill(pid_, sig);
}

std::optional<exit_status> child_process::wait_for(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (poll()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
}

exit_status child_process::stop(std::chrono::milliseconds grace) {
    send_signal(SIGTERM);
    if (auto s = wait_for(grace))
        return *s;
    return kill();
}

exit_status child_process::kill() {
    if (poll()) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        status_ = decode_wait_status(status);
    }
    return status_.value_or(exit_status{});
}

command_result run_command(const std::vector<std::string>& argv, const std::string& input,
                           const std::filesystem::path& scratch_dir,
                           std::chrono::milliseconds timeout) {
    static int counter = 0;
    std::string stem = "cmd-" + std::to_string(++counter);
    spawn_options opts;
    opts.argv = argv;
    opts.stdin_file = scratch_dir / (stem + ".in");
    opts.stdout_file = scratch_dir / (stem + ".out");
    opts.stderr_file = scratch_dir / (stem + ".err");
    write_file(opts.stdin_file, input);
    child_process child(opts);
    command_result result;
    if (auto s = child.wait_for(timeout)) {
        result.status = *s;
    } else {
        result.status = child.kill();
    }
    // The input may be a password: do not leave it on disk longer than needed.
    std::error_code ignored;
    std::filesystem::remove(opts.stdin_file, ignored);
    result.out = read_file(opts.stdout_file);
    result.err = read_file(opts.stderr_file);
    return result;
}

} // namespace peerline::test_support
