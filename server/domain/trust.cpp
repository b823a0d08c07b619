#include "domain/trust.hpp"

#include "peerline/crypto/crypto.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace peerline::trust {

std::string to_b64(const e2e::bytes& b) {
    return crypto::to_base64url(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::optional<e2e::bytes> from_b64(std::string_view b64, std::size_t max_bytes) {
    if (b64.size() > (max_bytes * 4 + 2) / 3 + 1) return std::nullopt; // limit before decoding
    auto raw = crypto::from_base64url(b64);
    if (!raw || raw->size() > max_bytes) return std::nullopt;
    return e2e::bytes(raw->begin(), raw->end());
}

std::optional<e2e::pub32> parse_public_key(std::string_view b64) {
    auto raw = from_b64(b64, 32);
    if (!raw || raw->size() != 32) return std::nullopt;
    e2e::pub32 out{};
    std::copy(raw->begin(), raw->end(), out.begin());
    return out;
}

namespace {
// Enrolment requests are at most 67 + 64 + 64 bytes, certificates 220.
constexpr std::size_t max_enrolment_bytes = 256;
constexpr std::size_t max_certificate_bytes = 256;
// 30 + 8 * 10 000 + 64.
constexpr std::size_t max_revocation_list_bytes = 38 + 8 * 10'000 + 64;
constexpr std::size_t max_delegation_bytes = e2e::delegation_bytes;
// What fits a request body with room to spare; the decoder has its own limits.
constexpr std::size_t max_directory_bytes = 1 << 20;

std::string name(e2e::error e) { return std::string(e2e::error_name(e)); }
} // namespace

std::optional<checked_enrolment> check_enrolment(std::string_view b64, std::string_view username,
                                                 std::string& error) {
    auto raw = from_b64(b64, max_enrolment_bytes);
    if (!raw) {
        error = "enrolment_request must be base64url of at most 256 bytes";
        return std::nullopt;
    }
    auto req = e2e::decode_enrolment_request(*raw);
    if (!req) {
        error = "the enrolment request does not decode (" + name(req.err()) + ")";
        return std::nullopt;
    }
    if (auto e = e2e::verify_signature(*req); e != e2e::error::ok) {
        error = "the enrolment request's self-signature does not hold (" + name(e) + ")";
        return std::nullopt;
    }
    if (req->handle != username) {
        error = "the enrolment request's handle must be your username";
        return std::nullopt;
    }
    return checked_enrolment{std::move(*req), std::move(*raw)};
}

std::optional<checked_certificate> check_certificate(std::string_view cert_b64, std::string_view directory_b64,
                                                     std::string_view enrolment_b64, std::string_view username,
                                                     const org_keys& org, std::uint64_t stored_directory_number,
                                                     std::string& error) {
    auto raw = from_b64(cert_b64, max_certificate_bytes);
    if (!raw) {
        error = "certificate must be base64url of at most 256 bytes";
        return std::nullopt;
    }
    auto cert = e2e::decode_certificate(*raw);
    if (!cert) {
        error = "the certificate does not decode (" + name(cert.err()) + ")";
        return std::nullopt;
    }
    if (cert->handle != username) {
        error = "the certificate is for '" + cert->handle + "', not this account";
        return std::nullopt;
    }
    if (cert->not_after <= cert->not_before || cert->not_after - cert->not_before > e2e::max_cert_validity_s) {
        error = "a certificate is valid for at most 30 days";
        return std::nullopt;
    }
    auto enrolment = from_b64(enrolment_b64, max_enrolment_bytes);
    auto req = enrolment ? e2e::decode_enrolment_request(*enrolment)
                         : e2e::result<e2e::enrolment_request>(e2e::error::truncated);
    if (!req) {
        error = "this listener has no pending enrolment to certify";
        return std::nullopt;
    }
    if (req->identity_key != cert->identity_key || req->signed_key != cert->signed_key) {
        error = "the certificate's keys are not those of the listener's enrolment request";
        return std::nullopt;
    }
    if (org.root) {
        if (auto e = e2e::verify_signature(*cert, *org.root); e != e2e::error::ok) {
            error = "the certificate is not signed by this organisation's root key (" + name(e) + ")";
            return std::nullopt;
        }
    }
    auto dir_raw = from_b64(directory_b64, max_directory_bytes);
    auto dir = dir_raw ? e2e::decode_directory(*dir_raw) : e2e::result<e2e::directory>(e2e::error::bad_length);
    if (!dir) {
        error = "send the directory `peerline org certify` wrote with the certificate (" + name(dir.err()) + ")";
        return std::nullopt;
    }
    if (org.root) {
        if (auto e = e2e::verify_signature(*dir, *org.root); e != e2e::error::ok) {
            error = "the directory is not signed by this organisation's root key (" + name(e) + ")";
            return std::nullopt;
        }
    }
    if (dir->number < stored_directory_number) {
        error = "the stored directory is number " + std::to_string(stored_directory_number) +
                "; certify again from the current directory";
        return std::nullopt;
    }
    const auto* entry = e2e::find_entry(*dir, username);
    if (!entry || entry->serial != cert->serial || entry->identity_key != cert->identity_key) {
        error = "the directory does not name this certificate as the listener's current one; a handle has "
                "one valid certificate";
        return std::nullopt;
    }
    return checked_certificate{std::move(*cert), std::move(*dir)};
}

std::optional<e2e::revocation_delegation> check_delegation(std::string_view b64, const org_keys& org,
                                                           std::uint64_t now_s, std::string& error) {
    auto raw = from_b64(b64, max_delegation_bytes);
    auto d = raw ? e2e::decode_revocation_delegation(*raw)
                 : e2e::result<e2e::revocation_delegation>(e2e::error::bad_length);
    if (!d) {
        error = "the revocation key's delegation does not decode (" + name(d.err()) + ")";
        return std::nullopt;
    }
    if (org.root) {
        if (auto e = e2e::verify_signature(*d, *org.root); e != e2e::error::ok) {
            error = "the delegation is not signed by this organisation's root key (" + name(e) + ")";
            return std::nullopt;
        }
    }
    if (now_s < d->not_before || now_s >= d->not_after) {
        error = "the revocation key's delegation is not valid now; delegate a key again with `peerline org "
                "delegate-revocation`";
        return std::nullopt;
    }
    return std::move(*d);
}

std::optional<e2e::revocation_list> check_revocation_list(std::string_view b64, std::string_view delegation_b64,
                                                          const org_keys& org, std::uint64_t stored_number,
                                                          std::uint64_t now_s, std::string& error) {
    auto delegation = check_delegation(delegation_b64, org, now_s, error);
    if (!delegation) {
        if (delegation_b64.empty())
            error = "no revocation key is delegated yet: upload the root's delegation first";
        return std::nullopt;
    }
    auto raw = from_b64(b64, max_revocation_list_bytes);
    if (!raw) {
        error = "revocation_list must be base64url of a list of at most 10 000 serials";
        return std::nullopt;
    }
    auto list = e2e::decode_revocation_list(*raw);
    if (!list) {
        error = "the revocation list does not decode (" + name(list.err()) + ")";
        return std::nullopt;
    }
    if (auto e = e2e::verify_signature(*list, delegation->revocation_key); e != e2e::error::ok) {
        error = "the revocation list is not signed by the organisation's delegated revocation key (" + name(e) + ")";
        return std::nullopt;
    }
    if (list->next_update <= list->issued_at || list->next_update - list->issued_at > e2e::max_crl_validity_s) {
        error = "a revocation list is valid for at most 48 hours";
        return std::nullopt;
    }
    if (list->issued_at < delegation->not_before || list->issued_at >= delegation->not_after ||
        now_s >= list->next_update) {
        error = "the revocation list is stale or was issued outside its key's delegation";
        return std::nullopt;
    }
    if (list->number <= stored_number) {
        error = "the stored list is number " + std::to_string(stored_number) +
                "; a new list must have a higher number";
        return std::nullopt;
    }
    return std::move(*list);
}

std::optional<issued_certificate> demo_certify(const org_keys& org, const checked_enrolment& enrolment,
                                               std::string_view current_directory_b64, std::uint64_t now_s) {
    if (!org.demo_root) return std::nullopt;
    e2e::system_rng random;
    auto serial = crypto::org::random_serial(random);
    auto cert = crypto::org::certify(*org.demo_root, enrolment.encoded, e2e::role::listener, serial, now_s,
                                     e2e::max_cert_validity_s);
    if (!cert) return std::nullopt;
    e2e::bytes current;
    if (auto raw = from_b64(current_directory_b64, max_directory_bytes)) current = std::move(*raw);
    auto dir = crypto::org::update_directory(*org.demo_root, current, *cert, now_s);
    if (!dir) return std::nullopt;
    auto decoded = e2e::decode_directory(*dir);
    if (!decoded) return std::nullopt;
    return issued_certificate{to_b64(*cert), serial, now_s + e2e::max_cert_validity_s, to_b64(*dir),
                              decoded->number};
}

std::optional<std::string> demo_empty_directory(const org_keys& org, std::uint64_t now_s) {
    if (!org.demo_root) return std::nullopt;
    e2e::directory d;
    d.number = 1;
    d.issued_at = now_s;
    auto signed_dir = e2e::sign_directory(std::move(d), org.demo_root->secret);
    if (!signed_dir) return std::nullopt;
    return to_b64(e2e::encode(*signed_dir));
}

std::optional<issued_list> demo_revocation_list(const org_keys& org, std::string_view current_b64,
                                                std::string_view directory_b64, std::uint64_t now_s) {
    if (!org.demo_root || !org.demo_revocation) return std::nullopt;
    crypto::org::list_inputs in;
    in.root = org.demo_root->public_key;
    in.delegation = org.demo_delegation;
    if (auto raw = from_b64(directory_b64, max_directory_bytes)) in.directory = std::move(*raw);
    if (auto raw = from_b64(current_b64, max_revocation_list_bytes)) in.previous.push_back(std::move(*raw));
    in.now = now_s;
    auto list = crypto::org::sign_revocation_list(*org.demo_revocation, in);
    if (!list && !in.previous.empty()) {
        // A list from another key (the demo keys were replaced): carry its
        // number on, so browsers that saw it do not take this for a rollback.
        auto old = e2e::decode_revocation_list(in.previous.front());
        in.previous.clear();
        list = crypto::org::sign_revocation_list(*org.demo_revocation, in);
        if (list && old) {
            auto fresh = e2e::decode_revocation_list(*list);
            fresh->number = old->number + 1;
            auto resigned = e2e::sign_revocation_list(std::move(*fresh), org.demo_revocation->secret);
            if (!resigned) return std::nullopt;
            list = e2e::encode(*resigned);
        }
    }
    if (!list) return std::nullopt;
    auto decoded = e2e::decode_revocation_list(*list);
    if (!decoded) return std::nullopt;
    return issued_list{to_b64(*list), decoded->number, decoded->next_update};
}

namespace {
// Reads a key file, creating it (mode 0600 from the start) with `make` if missing.
std::string read_or_create(const std::string& path, bool& created, const std::function<std::string()>& make) {
    created = false;
    if (!std::filesystem::exists(path)) {
        auto text = make();
        auto old_mask = umask(077); // never readable by others, even for a moment
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        umask(old_mask);
        if (!out) throw std::runtime_error("cannot write the demo key " + path);
        out << text;
        out.close();
        created = true;
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}
} // namespace

void load_demo_revocation_key(org_keys& org, const std::string& path, std::uint64_t now_s) {
    bool created = false;
    auto text = read_or_create(path, created, [] {
        e2e::system_rng random;
        return crypto::org::revocation_keygen(random);
    });
    auto key = crypto::org::parse_revocation_key_file(text);
    if (!key) throw std::runtime_error("the demo revocation key " + path + " is not a revocation key file");
    auto delegation = crypto::org::delegate_revocation(*org.demo_root, key->public_key, now_s,
                                                       e2e::max_delegation_validity_s);
    if (!delegation) throw std::runtime_error("cannot delegate the demo revocation key");
    org.demo_revocation = *key;
    org.demo_delegation = std::move(*delegation);
}

crypto::org::root_key load_or_create_demo_key(const std::string& path, bool& created) {
    auto text = read_or_create(path, created, [] {
        e2e::system_rng random;
        return crypto::org::keygen(random);
    });
    auto key = crypto::org::parse_key_file(text);
    if (!key) throw std::runtime_error("the demo root key " + path + " is not a root key file");
    return *key;
}

} // namespace peerline::trust
