// The signed release manifest (docs/CRYPTO.md §9, "Release manifest").
#include "peerline/crypto/release.hpp"

#include "peerline/crypto/crypto.hpp"
#include "e2e/primitives.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <stdexcept>

namespace peerline::crypto::release {

namespace {

using json = nlohmann::json;

// The signature covers this label followed by the compact canonical JSON of
// every member but "signature".
constexpr std::string_view label_release = "PSC1/release-manifest";

// csp, files, format, issued, min_revocation_number, root, signature.
constexpr std::size_t member_count = 7;

bool printable_ascii(std::string_view s) {
    for (char c : s)
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    return true;
}

json body_of(const manifest& m) {
    json files = json::object();
    for (const auto& [path, d] : m.files) files[path] = to_hex(d);
    return json{{"format", format_name},
                {"root", org::public_key_text(m.root)},
                {"issued", m.issued},
                {"min_revocation_number", m.min_revocation_number},
                {"csp", m.csp},
                {"files", std::move(files)}};
}

e2e::bytes signed_bytes(const json& body) {
    auto text = body.dump();
    return e2e::bytes(text.begin(), text.end());
}

std::string file_text(const json& body, const std::array<std::uint8_t, 64>& signature) {
    json whole = body;
    whole["signature"] =
        to_base64url(std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()));
    return whole.dump(2) + "\n";
}

verified fail(failure f, std::string detail) {
    verified v;
    v.err = f;
    v.detail = std::move(detail);
    return v;
}

std::optional<std::uint64_t> number_member(const json& j, const char* name) {
    const auto& v = j.at(name);
    if (!v.is_number_unsigned()) return std::nullopt;
    auto n = v.get<std::uint64_t>();
    if (n > max_number) return std::nullopt;
    return n;
}

std::optional<std::string> string_member(const json& j, const char* name) {
    const auto& v = j.at(name);
    if (!v.is_string()) return std::nullopt;
    return v.get<std::string>();
}

std::optional<digest> digest_from_hex(std::string_view hex) {
    if (hex.size() != 64) return std::nullopt;
    for (char c : hex)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    auto raw = from_hex(hex);
    if (!raw || raw->size() != 32) return std::nullopt;
    digest d{};
    std::copy(raw->begin(), raw->end(), d.begin());
    return d;
}

} // namespace

digest sha256(std::string_view data) {
    digest d{};
    crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return d;
}

std::string to_hex(const digest& d) {
    return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string path_problem(std::string_view path) {
    if (path.size() < 2 || path.front() != '/') return "does not start with '/' followed by a name";
    if (path.size() > max_path_bytes) return "is longer than " + std::to_string(max_path_bytes) + " bytes";
    for (char c : path) {
        if (c <= 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '%' || c == '?' || c == '#')
            return "holds a character other than printable ASCII without space, quote, backslash, %, ? or #";
    }
    if (path.back() == '/') return "ends in '/'";
    std::size_t start = 1;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        auto segment = path.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") return "has an empty, '.' or '..' segment";
        start = end + 1;
    }
    if (path == manifest_path) return "is the manifest itself";
    return {};
}

std::string field_problem(const manifest& m) {
    if (m.issued == 0 || m.issued > max_number) return "issued is not a time in 1..2^53-1";
    if (m.min_revocation_number > max_number) return "min_revocation_number is over 2^53-1";
    if (m.csp.empty() || m.csp.size() > max_csp_bytes || !printable_ascii(m.csp))
        return "csp is empty, over " + std::to_string(max_csp_bytes) +
               " bytes, or holds a character other than printable ASCII without quote or backslash";
    if (m.files.empty()) return "no files are listed";
    if (m.files.size() > max_files) return "more than " + std::to_string(max_files) + " files are listed";
    for (const auto& [path, d] : m.files) {
        (void)d;
        if (auto p = path_problem(path); !p.empty()) return "file path " + path.substr(0, max_path_bytes) + " " + p;
    }
    return {};
}

std::string sign(const manifest& m, const org::root_key& root) {
    if (auto p = field_problem(m); !p.empty()) throw std::invalid_argument("release manifest: " + p);
    if (root.public_key != m.root) throw std::invalid_argument("release manifest: signed by another root than its own");
    auto body = body_of(m);
    auto sig = e2e::prim::sign(label_release, signed_bytes(body), root.secret);
    return file_text(body, sig);
}

std::string_view failure_name(failure f) noexcept {
    switch (f) {
    case failure::none: return "none";
    case failure::too_large: return "too_large";
    case failure::not_json: return "not_json";
    case failure::bad_field: return "bad_field";
    case failure::not_canonical: return "not_canonical";
    case failure::wrong_root: return "wrong_root";
    case failure::bad_signature: return "bad_signature";
    }
    return "unknown";
}

verified verify(std::string_view text, const e2e::pub32& expected_root) {
    if (text.size() > max_manifest_bytes)
        return fail(failure::too_large, "the manifest is over " + std::to_string(max_manifest_bytes) + " bytes");
    json j;
    try {
        // A manifest nests two levels (the object, its "files"): stop deeper
        // input early instead of building it.
        json::parser_callback_t shallow = [](int depth, json::parse_event_t, json&) {
            if (depth > 2) throw std::length_error("nested too deep");
            return true;
        };
        j = json::parse(text.begin(), text.end(), shallow);
    } catch (const std::exception&) {
        return fail(failure::not_json, "the manifest is not JSON of the expected shape");
    }
    if (!j.is_object() || j.size() != member_count)
        return fail(failure::bad_field, "the manifest is not an object of exactly its seven members");
    for (const char* name : {"csp", "files", "format", "issued", "min_revocation_number", "root", "signature"})
        if (!j.contains(name)) return fail(failure::bad_field, std::string("the manifest has no \"") + name + "\"");
    if (!j["format"].is_string() || j["format"].get_ref<const std::string&>() != format_name)
        return fail(failure::bad_field, "the manifest's format is not " + std::string(format_name));

    manifest m;
    auto root_text = string_member(j, "root");
    auto root_raw = root_text ? from_base64url(*root_text) : std::nullopt;
    if (!root_raw || root_raw->size() != 32 || to_base64url(*root_raw) != *root_text)
        return fail(failure::bad_field, "root is not a 32-byte key in base64url");
    std::copy(root_raw->begin(), root_raw->end(), m.root.begin());
    auto issued = number_member(j, "issued");
    auto min_number = number_member(j, "min_revocation_number");
    if (!issued || !min_number)
        return fail(failure::bad_field, "issued or min_revocation_number is not a whole number in 0..2^53-1");
    m.issued = *issued;
    m.min_revocation_number = *min_number;
    auto csp = string_member(j, "csp");
    if (!csp) return fail(failure::bad_field, "csp is not a string");
    m.csp = *csp;
    const auto& files = j["files"];
    if (!files.is_object()) return fail(failure::bad_field, "files is not an object");
    if (files.size() > max_files)
        return fail(failure::bad_field, "more than " + std::to_string(max_files) + " files are listed");
    for (const auto& [path, hex] : files.items()) {
        auto d = hex.is_string() ? digest_from_hex(hex.get_ref<const std::string&>()) : std::nullopt;
        if (!d) return fail(failure::bad_field, "the SHA-256 of a file is not 64 lowercase hex digits");
        m.files.emplace(path, *d);
    }
    if (auto p = field_problem(m); !p.empty()) return fail(failure::bad_field, p);
    auto sig_text = string_member(j, "signature");
    auto sig_raw = sig_text ? from_base64url(*sig_text) : std::nullopt;
    if (!sig_raw || sig_raw->size() != 64) return fail(failure::bad_field, "signature is not 64 bytes in base64url");
    std::array<std::uint8_t, 64> sig{};
    std::copy(sig_raw->begin(), sig_raw->end(), sig.begin());

    auto body = body_of(m);
    if (file_text(body, sig) != text)
        return fail(failure::not_canonical, "the manifest's text is not in its canonical form (it was edited after signing?)");
    if (!e2e::prim::equal(m.root, expected_root))
        return fail(failure::wrong_root, "the manifest is signed for the root with fingerprint " +
                                             org::fingerprint(m.root) + ", not the expected " +
                                             org::fingerprint(expected_root));
    if (!e2e::prim::verify(label_release, signed_bytes(body), sig, m.root))
        return fail(failure::bad_signature, "the root's signature on the manifest does not verify");
    verified v;
    v.value = std::move(m);
    return v;
}

std::string fingerprint(std::string_view manifest_text) {
    auto hex = to_hex(sha256(manifest_text)).substr(0, 16);
    return hex.substr(0, 4) + " " + hex.substr(4, 4) + " " + hex.substr(8, 4) + " " + hex.substr(12, 4);
}

std::optional<mismatch> compare(const manifest& m, const std::map<std::string, std::string, std::less<>>& files) {
    auto listed = m.files.begin();
    auto present = files.begin();
    while (listed != m.files.end() || present != files.end()) {
        if (present == files.end() || (listed != m.files.end() && listed->first < present->first))
            return mismatch{listed->first, "is in the signed release but missing"};
        if (listed == m.files.end() || present->first < listed->first)
            return mismatch{present->first, "is not in the signed release"};
        auto actual = sha256(present->second);
        if (actual != listed->second)
            return mismatch{listed->first, "differs from the signed release (SHA-256 " + to_hex(actual) +
                                               ", signed " + to_hex(listed->second) + ")"};
        ++listed;
        ++present;
    }
    return std::nullopt;
}

} // namespace peerline::crypto::release
