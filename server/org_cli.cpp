#include "org_cli.hpp"

#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/org.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>

namespace peerline {

namespace {

namespace org = crypto::org;
namespace e2e = crypto::e2e;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Writes with owner-only permissions from the start (a root key must never be
// readable by others, even for a moment).
void write_private_file(const std::string& path, const std::string& text) {
    auto fd_mode = umask(077);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    umask(fd_mode);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << text;
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

void write_public_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << text << "\n";
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

// Binary artefacts travel as base64url text files.
e2e::bytes read_b64_file(const std::string& path) {
    auto decoded = crypto::from_base64url(trim(read_file(path)));
    if (!decoded) throw std::runtime_error(path + " is not base64url text");
    return e2e::bytes(decoded->begin(), decoded->end());
}

std::string to_text(const e2e::bytes& b) {
    return crypto::to_base64url(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::uint64_t unix_now() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

org::root_key load_root(const std::string& path) {
    auto parsed = org::parse_key_file(read_file(path));
    if (!parsed) throw std::runtime_error(path + " is not a valid root key file (" +
                                          std::string(e2e::error_name(parsed.err())) + ")");
    return parsed.value();
}

} // namespace

int run_org(const org_command& cmd) {
    crypto::init();
    e2e::system_rng random;
    if (cmd.action == "keygen") {
        if (std::filesystem::exists(cmd.key_file)) {
            std::cerr << "peerline org: " << cmd.key_file << " exists; refusing to overwrite a root key\n";
            return 1;
        }
        write_private_file(cmd.key_file, org::keygen(random));
        auto root = load_root(cmd.key_file);
        std::cout << "root key written to " << cmd.key_file << " (keep it offline)\n"
                  << "  public key:  " << org::public_key_text(root.public_key) << "\n"
                  << "  fingerprint: " << org::fingerprint(root.public_key) << "\n"
                  << "Pin the public key in the web client's build configuration.\n";
        return 0;
    }
    auto root = load_root(cmd.key_file);
    if (cmd.action == "show") {
        std::cout << "public key:  " << org::public_key_text(root.public_key) << "\n"
                  << "fingerprint: " << org::fingerprint(root.public_key) << "\n";
        return 0;
    }
    if (cmd.days == 0 || cmd.days > 30) {
        std::cerr << "peerline org: validity is 1 to 30 days\n";
        return 2;
    }
    auto validity_s = static_cast<std::uint64_t>(cmd.days) * 86400;
    if (cmd.action == "certify") {
        e2e::role r = cmd.role == "supervisor" ? e2e::role::supervisor : e2e::role::listener;
        if (cmd.role != "listener" && cmd.role != "supervisor") {
            std::cerr << "peerline org: --role is listener or supervisor\n";
            return 2;
        }
        auto request = read_b64_file(cmd.in_file);
        auto serial = org::random_serial(random);
        auto cert = org::certify(root, request, r, serial, unix_now(), validity_s);
        if (!cert) {
            std::cerr << "peerline org: the enrolment request was refused ("
                      << e2e::error_name(cert.err()) << ")\n";
            return 1;
        }
        write_public_file(cmd.out_file, to_text(cert.value()));
        std::cout << "certificate written to " << cmd.out_file << " (serial " << serial << ", "
                  << cmd.days << " days)\n";
        return 0;
    }
    if (cmd.action == "revoke") {
        e2e::bytes current;
        if (!cmd.in_file.empty()) current = read_b64_file(cmd.in_file);
        auto list = org::revoke(root, current, cmd.serials, unix_now(), validity_s);
        if (!list) {
            std::cerr << "peerline org: cannot extend that revocation list (" << e2e::error_name(list.err())
                      << ")\n";
            return 1;
        }
        write_public_file(cmd.out_file, to_text(list.value()));
        std::cout << "revocation list written to " << cmd.out_file << "\n";
        return 0;
    }
    std::cerr << "peerline org: unknown action\n";
    return 2;
}

} // namespace peerline
