// `peerline org ...` (org_cli.hpp): file in, file out, and every step
// printed, so what is about to be signed is what the administrator sees.
#include "org_cli.hpp"

#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/org.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <optional>
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

// Replaces `path` whole or not at all (a directory or state file half
// written would lose the organisation's record).
void replace_public_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    write_public_file(tmp, text);
    std::filesystem::rename(tmp, path);
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

e2e::bytes b64_bytes(const std::string& text, const std::string& what) {
    auto decoded = crypto::from_base64url(trim(text));
    if (!decoded) throw std::runtime_error(what + " is not base64url text");
    return e2e::bytes(decoded->begin(), decoded->end());
}

std::string when(std::uint64_t unix_s) {
    std::time_t t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%d/%m/%Y %H:%M UTC", &tm);
    return buf;
}

org::root_key load_root(const std::string& path) {
    auto parsed = org::parse_key_file(read_file(path));
    if (!parsed) throw std::runtime_error(path + " is not a valid root key file (" +
                                          std::string(e2e::error_name(parsed.err())) + ")");
    return parsed.value();
}

} // namespace

CLI::App* add_org_commands(CLI::App& app, org_command& org) {
    auto* org_app = app.add_subcommand(
        "org", "The organisation's offline root key and delegated revocation key (never on the server)");
    org_app->require_subcommand(1);
    auto* keygen = org_app->add_subcommand("keygen", "Create a root key file (mode 0600)");
    keygen->add_option("--key", org.key_file, "Root key file to create")->required();
    keygen->callback([&org] { org.action = "keygen"; });
    auto* show = org_app->add_subcommand("show", "Print the root public key and fingerprint");
    show->add_option("--key", org.key_file, "Root key file")->required();
    show->callback([&org] { org.action = "show"; });

    auto* certify = org_app->add_subcommand(
        "certify", "Certify a listener's enrolment request, only if its key is the one the listener read out");
    certify->add_option("--key", org.key_file, "Root key file")->required();
    certify->add_option("--request", org.in_file, "Enrolment request (base64url text file)")->required();
    certify->add_option("--expect-fingerprint", org.expect_fingerprint,
                        "The key fingerprint the listener read out from their own device (30 digits)")
        ->required();
    certify->add_option("--directory", org.directory_file,
                        "The organisation's directory file: read if it exists, then replaced by the next one")
        ->required();
    certify->add_option("--out", org.out_file, "Certificate file to write")->required();
    certify->add_option("--role", org.role, "listener or supervisor")->capture_default_str();
    certify->add_option("--days", org.days, "Validity, at most 30 days")->capture_default_str();
    certify->callback([&org] { org.action = "certify"; });

    auto* rkeygen = org_app->add_subcommand(
        "revocation-keygen", "Create a revocation key file (mode 0600) for a scheduled job on your own machine");
    rkeygen->add_option("--out", org.revocation_key_file, "Revocation key file to create")->required();
    rkeygen->callback([&org] { org.action = "revocation-keygen"; });

    auto* delegate = org_app->add_subcommand(
        "delegate-revocation", "Sign with the root key a delegation of revocation-list signing to a key");
    delegate->add_option("--key", org.key_file, "Root key file")->required();
    delegate->add_option("--revocation-public-key", org.revocation_public_key,
                         "The revocation key's public key (base64url), from an administrator's dashboard or "
                         "`revocation-keygen`")
        ->required();
    delegate->add_option("--out", org.delegation_file, "Delegation file to write")->required();
    delegate->add_option("--days", org.days, "Validity, at most 366 days")->capture_default_str();
    delegate->callback([&org] { org.action = "delegate-revocation"; });

    auto* sign = org_app->add_subcommand(
        "sign-revocation-list", "Sign the next revocation list (valid at most 48 hours) with the revocation key");
    sign->add_option("--revocation-key", org.revocation_key_file, "Revocation key file")->required();
    sign->add_option("--delegation", org.delegation_file, "The root's delegation to that key")->required();
    sign->add_option("--org-public-key", org.org_public_key, "The organisation's root public key (base64url)")
        ->required();
    sign->add_option("--trust-state", org.trust_state_file,
                     "The server's trust state (the JSON of GET /api/revocation-list): its directory and list");
    sign->add_option("--directory", org.directory_file, "A directory file (instead of the trust state's)");
    sign->add_option("--state", org.state_file,
                     "This signer's own record: the last list it signed (read if it exists, then replaced)");
    sign->add_option("--previous", org.previous_files, "Earlier lists whose revocations carry on (repeatable)");
    sign->add_option("--revoke", org.serials, "A certificate serial to revoke (repeatable)");
    sign->add_option("--hours", org.hours, "Until the list is stale, at most 48")->capture_default_str();
    sign->add_option("--out", org.out_file,
                     "Write the upload body (JSON for PUT /api/admin/revocation-list) here")
        ->required();
    sign->callback([&org] { org.action = "sign-revocation-list"; });
    return org_app;
}

namespace {

int certify(const org_command& cmd, const org::root_key& root, e2e::rng& random) {
    if (cmd.days == 0 || cmd.days > 30) {
        std::cerr << "peerline org: validity is 1 to 30 days\n";
        return 2;
    }
    if (cmd.role != "listener" && cmd.role != "supervisor") {
        std::cerr << "peerline org: --role is listener or supervisor\n";
        return 2;
    }
    e2e::role r = cmd.role == "supervisor" ? e2e::role::supervisor : e2e::role::listener;
    auto request = read_b64_file(cmd.in_file);
    auto req = e2e::decode_enrolment_request(request);
    if (!req || e2e::verify_signature(*req) != e2e::error::ok) {
        std::cerr << "peerline org: the enrolment request was refused ("
                  << e2e::error_name(req ? e2e::error::bad_signature : req.err()) << ")\n";
        return 1;
    }
    // What is about to be signed, in full, before anything is.
    std::cout << "About to certify:\n"
              << "  handle:          " << req->handle << "\n"
              << "  role:            " << cmd.role << "\n"
              << "  key fingerprint: " << org::key_fingerprint(req->identity_key) << "\n"
              << "  validity:        " << cmd.days << " days\n";
    if (!org::fingerprint_matches(cmd.expect_fingerprint, req->identity_key)) {
        std::cerr << "peerline org: REFUSED: the request's key fingerprint is not the one you were given ("
                  << cmd.expect_fingerprint << ").\n"
                  << "  The request may not come from " << req->handle
                  << "'s device. Do not certify it: ask the listener to read\n"
                  << "  the fingerprint their console shows again, by phone or in person.\n";
        return 1;
    }
    e2e::bytes current;
    if (std::filesystem::exists(cmd.directory_file)) current = read_b64_file(cmd.directory_file);
    auto serial = org::random_serial(random);
    auto now = unix_now();
    auto cert = org::certify(root, request, r, serial, now, static_cast<std::uint64_t>(cmd.days) * 86400);
    if (!cert) {
        std::cerr << "peerline org: cannot certify (" << e2e::error_name(cert.err()) << ")\n";
        return 1;
    }
    auto dir = org::update_directory(root, current, *cert, now);
    if (!dir) {
        std::cerr << "peerline org: " << cmd.directory_file << " is not this organisation's directory ("
                  << e2e::error_name(dir.err()) << ")\n";
        return 1;
    }
    std::optional<std::uint64_t> replaced;
    if (!current.empty()) {
        auto old = e2e::decode_directory(current);
        if (const auto* e = old ? e2e::find_entry(*old, req->handle) : nullptr) replaced = e->serial;
    }
    write_public_file(cmd.out_file, to_text(*cert));
    replace_public_file(cmd.directory_file, to_text(*dir));
    auto decoded = e2e::decode_directory(*dir);
    std::cout << "Fingerprint matches. Certificate written to " << cmd.out_file << " (serial " << serial
              << ", until " << when(now + cmd.days * 86400ull) << ").\n"
              << "Directory " << decoded->number << " written to " << cmd.directory_file
              << ": upload it with the certificate.\n";
    if (replaced)
        std::cout << "This replaces " << req->handle << "'s certificate " << *replaced
                  << ": the next revocation list revokes it.\n";
    return 0;
}

int sign_list(const org_command& cmd) {
    if (cmd.hours == 0 || cmd.hours > 48) {
        std::cerr << "peerline org: a revocation list is valid for 1 to 48 hours\n";
        return 2;
    }
    auto key = org::parse_revocation_key_file(read_file(cmd.revocation_key_file));
    if (!key) throw std::runtime_error(cmd.revocation_key_file + " is not a revocation key file");
    org::list_inputs in;
    auto root = crypto::from_base64url(cmd.org_public_key);
    if (!root || root->size() != 32) throw std::runtime_error("--org-public-key is not a base64url public key");
    std::copy(root->begin(), root->end(), reinterpret_cast<char*>(in.root.data()));
    in.delegation = read_b64_file(cmd.delegation_file);
    if (!cmd.trust_state_file.empty()) {
        auto state = nlohmann::json::parse(read_file(cmd.trust_state_file), nullptr, false);
        if (!state.is_object()) throw std::runtime_error(cmd.trust_state_file + " is not the trust state JSON");
        if (auto d = state.value("directory", std::string()); !d.empty()) in.directory = b64_bytes(d, "its directory");
        // The server's list: its revocations carry on too (a signer never
        // forgets one; a forged list fails the signature check).
        if (auto l = state.value("revocation_list", std::string()); !l.empty())
            in.previous.push_back(b64_bytes(l, "its revocation list"));
        // Which may be signed by another administrator's delegated key.
        if (auto d = state.value("revocation_delegation", std::string()); !d.empty())
            in.previous_delegations.push_back(b64_bytes(d, "its delegation"));
    }
    if (!cmd.directory_file.empty()) in.directory = read_b64_file(cmd.directory_file);
    if (!cmd.state_file.empty() && std::filesystem::exists(cmd.state_file))
        in.previous.push_back(read_b64_file(cmd.state_file));
    for (const auto& f : cmd.previous_files) in.previous.push_back(read_b64_file(f));
    in.add_serials = cmd.serials;
    in.now = unix_now();
    in.validity_s = cmd.hours * 3600ull;
    auto list = org::sign_revocation_list(*key, in);
    if (!list) {
        std::cerr << "peerline org: cannot sign the list (" << e2e::error_name(list.err()) << ")\n";
        return 1;
    }
    auto decoded = e2e::decode_revocation_list(*list);
    if (!cmd.state_file.empty()) replace_public_file(cmd.state_file, to_text(*list));
    nlohmann::json body{{"revocation_list", to_text(*list)}, {"revocation_delegation", to_text(in.delegation)}};
    write_public_file(cmd.out_file, body.dump());
    std::cout << "Revocation list " << decoded->number << " (" << decoded->serials.size()
              << " revoked, directory " << decoded->directory_number << ") valid until "
              << when(decoded->next_update) << ", written to " << cmd.out_file
              << ".\nUpload it: PUT /api/admin/revocation-list with that body.\n";
    return 0;
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
    if (cmd.action == "revocation-keygen") {
        if (std::filesystem::exists(cmd.revocation_key_file)) {
            std::cerr << "peerline org: " << cmd.revocation_key_file << " exists; refusing to overwrite a key\n";
            return 1;
        }
        write_private_file(cmd.revocation_key_file, org::revocation_keygen(random));
        auto key = org::parse_revocation_key_file(read_file(cmd.revocation_key_file));
        std::cout << "revocation key written to " << cmd.revocation_key_file
                  << " (keep it on the organisation's own machine, never on the server)\n"
                  << "  public key: " << org::public_key_text(key->public_key) << "\n"
                  << "Delegate it with `peerline org delegate-revocation` on the offline machine.\n";
        return 0;
    }
    if (cmd.action == "sign-revocation-list") return sign_list(cmd);
    auto root = load_root(cmd.key_file);
    if (cmd.action == "show") {
        std::cout << "public key:  " << org::public_key_text(root.public_key) << "\n"
                  << "fingerprint: " << org::fingerprint(root.public_key) << "\n";
        return 0;
    }
    if (cmd.action == "certify") return certify(cmd, root, random);
    if (cmd.action == "delegate-revocation") {
        if (cmd.days == 0 || cmd.days > 366) {
            std::cerr << "peerline org: a delegation is valid for 1 to 366 days\n";
            return 2;
        }
        auto pub = crypto::from_base64url(cmd.revocation_public_key);
        if (!pub || pub->size() != 32) {
            std::cerr << "peerline org: --revocation-public-key is not a base64url public key\n";
            return 2;
        }
        e2e::pub32 key{};
        std::copy(pub->begin(), pub->end(), reinterpret_cast<char*>(key.data()));
        auto now = unix_now();
        auto d = org::delegate_revocation(root, key, now, cmd.days * 86400ull);
        if (!d) {
            std::cerr << "peerline org: cannot delegate (" << e2e::error_name(d.err()) << ")\n";
            return 1;
        }
        write_public_file(cmd.delegation_file, to_text(*d));
        std::cout << "Revocation key " << cmd.revocation_public_key << " may sign revocation lists until "
                  << when(now + cmd.days * 86400ull) << ".\nDelegation written to " << cmd.delegation_file
                  << ": give it to the administrators (it is public).\n";
        return 0;
    }
    std::cerr << "peerline org: unknown action\n";
    return 2;
}

} // namespace peerline
