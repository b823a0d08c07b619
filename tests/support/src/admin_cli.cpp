// See admin_cli.hpp.
#include "peerline/test_support/admin_cli.hpp"

#include <stdexcept>

namespace peerline::test_support {

command_result admin_cli::run(const std::vector<std::string>& args,
                              const std::string& input) const {
    std::vector<std::string> argv = {binary_.string(),       "admin",  "--redis", redis_url_,
                                     "--password-hash-cost", "minimum"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, input, scratch_);
}

void admin_cli::run_ok(const std::vector<std::string>& args, const std::string& input) const {
    auto r = run(args, input);
    if (!r.status.success()) {
        std::string cmd = "peerline admin";
        for (const auto& a : args)
            cmd += " " + a;
        throw std::runtime_error(cmd + " failed (" + r.status.describe() + ")\nstdout: " + r.out +
                                 "\nstderr: " + r.err);
    }
}

// The password is one line on stdin, as an operator would type or pipe it.
void admin_cli::create_listener(const std::string& name, const std::string& password) const {
    run_ok({"create-listener", name, "--password-stdin"}, password + "\n");
}

void admin_cli::create_admin(const std::string& name, const std::string& password) const {
    run_ok({"create-admin", name, "--password-stdin"}, password + "\n");
}

void admin_cli::disable(const std::string& name) const {
    run_ok({"disable", name}, {});
}

void admin_cli::add_shift_always(const std::string& name) const {
    run_ok({"add-shift", name, "--always"}, {});
}

} // namespace peerline::test_support
