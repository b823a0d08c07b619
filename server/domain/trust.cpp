#include "domain/trust.hpp"

#include "peerline/crypto/crypto.hpp"

#include <sys/stat.h>

#include <algorithm>
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
constexpr std::size_t max_revocation_list_bytes = 30 + 8 * 10'000 + 64;

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

std::optional<e2e::listener_certificate> check_certificate(std::string_view cert_b64,
                                                           std::string_view enrolment_b64,
                                                           std::string_view username,
                                                           const org_keys& org, std::string& error) {
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
    return std::move(*cert);
}

std::optional<e2e::revocation_list> check_revocation_list(std::string_view b64, const org_keys& org,
                                                          std::uint64_t stored_number,
                                                          std::string& error) {
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
    if (org.root) {
        if (auto e = e2e::verify_signature(*list, *org.root); e != e2e::error::ok) {
            error = "the revocation list is not signed by this organisation's root key (" + name(e) + ")";
            return std::nullopt;
        }
    }
    if (list->number <= stored_number) {
        error = "the stored list is number " + std::to_string(stored_number) +
                "; a new list must have a higher number";
        return std::nullopt;
    }
    return std::move(*list);
}

std::optional<issued_certificate> demo_certify(const org_keys& org, const checked_enrolment& enrolment,
                                               std::uint64_t now_s) {
    if (!org.demo_root) return std::nullopt;
    e2e::system_rng random;
    auto serial = crypto::org::random_serial(random);
    auto cert = crypto::org::certify(*org.demo_root, enrolment.encoded, e2e::role::listener, serial, now_s,
                                     e2e::max_cert_validity_s);
    if (!cert) return std::nullopt;
    return issued_certificate{to_b64(*cert), serial, now_s + e2e::max_cert_validity_s};
}

std::optional<issued_list> demo_revocation_list(const org_keys& org, std::string_view current_b64,
                                                std::uint64_t now_s) {
    if (!org.demo_root) return std::nullopt;
    e2e::bytes current;
    if (!current_b64.empty()) {
        auto raw = from_b64(current_b64, max_revocation_list_bytes);
        if (raw) current = std::move(*raw);
    }
    auto list = crypto::org::revoke(*org.demo_root, current, {}, now_s, e2e::max_crl_validity_s);
    if (!list && !current.empty()) // a list from another root: start afresh
        list = crypto::org::revoke(*org.demo_root, {}, {}, now_s, e2e::max_crl_validity_s);
    if (!list) return std::nullopt;
    auto decoded = e2e::decode_revocation_list(*list); // its number follows the current list's
    if (!decoded) return std::nullopt;
    return issued_list{to_b64(*list), decoded->number, decoded->next_update};
}

crypto::org::root_key load_or_create_demo_key(const std::string& path, bool& created) {
    created = false;
    if (!std::filesystem::exists(path)) {
        e2e::system_rng random;
        auto text = crypto::org::keygen(random);
        auto old_mask = umask(077); // never readable by others, even for a moment
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        umask(old_mask);
        if (!out) throw std::runtime_error("cannot write the demo root key " + path);
        out << text;
        out.close();
        created = true;
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto key = crypto::org::parse_key_file(text.str());
    if (!key) throw std::runtime_error("the demo root key " + path + " is not a root key file");
    return *key;
}

} // namespace peerline::trust
