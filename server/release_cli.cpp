#include "release_cli.hpp"

#include "peerline/crypto/crypto.hpp"
#include "peerline/crypto/org.hpp"
#include "peerline/crypto/release.hpp"

#include "net/http_fetch.hpp"
#include "net/release_check.hpp"
#include "net/static_files.hpp"

#include <CLI/CLI.hpp>
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace peerline {

namespace release = crypto::release;
namespace org = crypto::org;
namespace fs = std::filesystem;

void add_release_commands(CLI::App& app, CLI::App& org_app, release_command& cmd) {
    auto* sign = org_app.add_subcommand("sign-release",
                                        "Sign a built web client: writes .well-known/peerline-release.json into it");
    sign->add_option("--key", cmd.key_file, "Root key file")->required();
    sign->add_option("--web-root", cmd.web_root, "The built web client (scripts/build-web's web-client/dist)")
        ->required();
    sign->add_option("--min-revocation-number", cmd.min_revocation_number,
                     "The lowest revocation-list number this build accepts (as given to scripts/build-web)")
        ->capture_default_str();
    sign->callback([&cmd] { cmd.action = "sign-release"; });

    auto* verify = app.add_subcommand(
        "verify-web", "Check a live service's web client against its signed release, as a browser loads it");
    verify->add_option("url", cmd.url, "The service's address, e.g. https://peerline.example.org")->required();
    verify->add_option("--org-public-key", cmd.org_public_key,
                       "The organisation's root public key (base64url), from the organisation, not the server")
        ->required();
    verify->add_option("--expect-release", cmd.expect_release,
                       "Also insist on this release fingerprint (\"xxxx xxxx xxxx xxxx\")");
    verify->add_option("--ca-file", cmd.ca_file, "https: trust this PEM CA file instead of the system's");
    verify->add_option("--timeout-s", cmd.timeout_s, "Seconds allowed for each request")->capture_default_str();
    verify->callback([&cmd] { cmd.action = "verify-web"; });
}

namespace {

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string london_time(std::uint64_t unix_s) {
    auto t = date::sys_seconds{std::chrono::seconds(static_cast<long long>(unix_s))};
    return date::format("%d/%m/%Y %H:%M %Z", date::make_zoned("Europe/London", t));
}

std::uint64_t unix_now() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

// --- sign-release -------------------------------------------------------------

int sign_release(const release_command& cmd) {
    auto parsed = org::parse_key_file(read_text_file(cmd.key_file));
    if (!parsed) throw std::runtime_error(cmd.key_file + " is not a valid root key file");
    const auto& root = parsed.value();
    if (cmd.min_revocation_number > release::max_number) {
        std::cerr << "peerline org sign-release: --min-revocation-number is at most 2^53-1\n";
        return 2;
    }
    auto files = read_web_root(cmd.web_root);
    files.erase(std::string(release::manifest_path)); // an earlier signature of this directory
    // The build pins the root (VITE_PEERLINE_ORG_ROOT): signing a build that
    // pins another key would publish a release its own pages do not trust.
    auto pinned = org::public_key_text(root.public_key);
    bool pins_root = false;
    for (const auto& [path, content] : files)
        if (path.ends_with(".js") && content.find(pinned) != std::string::npos) pins_root = true;
    if (!pins_root) {
        std::cerr << "peerline org sign-release: no script under " << cmd.web_root
                  << " pins this root's public key; build the web client with it first "
                     "(scripts/build-web --public-key "
                  << pinned << ")\n";
        return 1;
    }
    release::manifest m;
    m.root = root.public_key;
    m.issued = unix_now();
    m.min_revocation_number = cmd.min_revocation_number;
    m.csp = std::string(content_security_policy);
    for (const auto& [path, content] : files) {
        if (auto p = release::path_problem(path); !p.empty()) {
            std::cerr << "peerline org sign-release: " << path << " " << p << "\n";
            return 1;
        }
        m.files.emplace(path, release::sha256(content));
    }
    auto text = release::sign(m, root);
    auto out = fs::path(cmd.web_root) / std::string(release::manifest_path).substr(1);
    fs::create_directories(out.parent_path());
    {
        std::ofstream f(out, std::ios::binary | std::ios::trunc);
        if (!f || !(f << text)) throw std::runtime_error("cannot write " + out.string());
    }
    std::cout << "release manifest written to " << out.string() << "\n"
              << "  release:     " << release::fingerprint(text) << "\n"
              << "  files:       " << m.files.size() << "\n"
              << "  root:        " << org::fingerprint(root.public_key) << "\n"
              << "  minimum revocation-list number: " << m.min_revocation_number << "\n"
              << "Deploy this directory exactly as it is; publish the release fingerprint.\n";
    return 0;
}

// --- verify-web ---------------------------------------------------------------

// How a browser asks for each kind of resource (Chromium's request headers),
// so a server that tells a checker from a browser by its requests gets no hint.
enum class kind { document, script, style, other };

std::vector<std::pair<std::string, std::string>> browser_headers(kind k, const origin& at) {
    std::vector<std::pair<std::string, std::string>> h{
        {"User-Agent",
         "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"},
        {"Accept-Language", "en-GB,en;q=0.9"},
    };
    switch (k) {
    case kind::document:
        h.insert(h.end(), {{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
                                      "image/apng,*/*;q=0.8"},
                           {"Upgrade-Insecure-Requests", "1"},
                           {"Sec-Fetch-Site", "none"},
                           {"Sec-Fetch-Mode", "navigate"},
                           {"Sec-Fetch-User", "?1"},
                           {"Sec-Fetch-Dest", "document"}});
        break;
    case kind::script:
        h.insert(h.end(), {{"Accept", "*/*"},
                           {"Origin", at.text()},
                           {"Sec-Fetch-Site", "same-origin"},
                           {"Sec-Fetch-Mode", "cors"},
                           {"Sec-Fetch-Dest", "script"}});
        break;
    case kind::style:
        h.insert(h.end(), {{"Accept", "text/css,*/*;q=0.1"},
                           {"Origin", at.text()},
                           {"Sec-Fetch-Site", "same-origin"},
                           {"Sec-Fetch-Mode", "cors"},
                           {"Sec-Fetch-Dest", "style"}});
        break;
    case kind::other:
        h.insert(h.end(), {{"Accept", "*/*"},
                           {"Sec-Fetch-Site", "same-origin"},
                           {"Sec-Fetch-Mode", "cors"},
                           {"Sec-Fetch-Dest", "empty"}});
        break;
    }
    return h;
}

// "/assets/a.js" from a reference in `base`'s text; nullopt for data: URLs,
// fragments and anything that is not a path on this origin (those set
// `outside`).
std::optional<std::string> resolve(const std::string& base, std::string ref, bool& outside) {
    outside = false;
    if (auto cut = ref.find_first_of("?#"); cut != std::string::npos) ref.resize(cut);
    if (ref.empty() || ref.rfind("data:", 0) == 0) return std::nullopt;
    if (ref.rfind("//", 0) == 0 || ref.find(':') != std::string::npos) {
        outside = true;
        return std::nullopt;
    }
    std::string joined = ref.front() == '/' ? ref : base.substr(0, base.rfind('/') + 1) + ref;
    std::vector<std::string> segments;
    std::size_t pos = 1;
    while (pos <= joined.size()) {
        auto end = joined.find('/', pos);
        if (end == std::string::npos) end = joined.size();
        auto seg = joined.substr(pos, end - pos);
        if (seg == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!seg.empty() && seg != ".") {
            segments.push_back(seg);
        }
        pos = end + 1;
    }
    std::string out;
    for (const auto& s : segments) out += "/" + s;
    return out.empty() ? "/" : out;
}

struct reference {
    std::string url;
    kind as;
};

// What a page makes the browser load: <script src>, <link href> (styles,
// module preloads, icons), <img src>.
std::vector<reference> page_references(const std::string& html) {
    std::vector<reference> out;
    std::size_t pos = 0;
    while ((pos = html.find('<', pos)) != std::string::npos) {
        auto end = html.find('>', pos);
        if (end == std::string::npos) break;
        std::string tag = html.substr(pos + 1, end - pos - 1);
        pos = end;
        auto name = tag.substr(0, tag.find_first_of(" \t\r\n"));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const char* attr = nullptr;
        kind as = kind::other;
        if (name == "script") {
            attr = "src";
            as = kind::script;
        } else if (name == "link") {
            attr = "href";
            if (tag.find("stylesheet") != std::string::npos) as = kind::style;
            else if (tag.find("modulepreload") != std::string::npos) as = kind::script;
        } else if (name == "img") {
            attr = "src";
        }
        if (!attr) continue;
        auto a = tag.find(std::string(" ") + attr + "=");
        if (a == std::string::npos) continue;
        auto q = a + std::strlen(attr) + 2;
        if (q >= tag.size() || (tag[q] != '"' && tag[q] != '\'')) continue;
        auto close = tag.find(tag[q], q + 1);
        if (close == std::string::npos) continue;
        out.push_back({tag.substr(q + 1, close - q - 1), as});
    }
    return out;
}

// What a script or style sheet loads: quoted relative paths ("./x.js",
// "../assets/y.css") and CSS url(...) that name a file by its extension.
std::vector<reference> code_references(const std::string& text) {
    std::vector<reference> out;
    auto loads = [](const std::string& s) {
        for (const char* ext : {".js", ".mjs", ".css", ".wasm", ".woff2", ".svg", ".png"})
            if (s.ends_with(ext)) return true;
        return false;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c != '"' && c != '\'' && c != '(') continue;
        char close = c == '(' ? ')' : c;
        auto rel = std::string_view(text).substr(i + 1, 512).find(close);
        if (rel == std::string_view::npos) continue;
        std::string lit = text.substr(i + 1, rel);
        if ((lit.rfind("./", 0) == 0 || lit.rfind("../", 0) == 0 || lit.rfind("/assets/", 0) == 0) && loads(lit) &&
            lit.find_first_of(" \n\"'") == std::string::npos)
            out.push_back({lit, lit.ends_with(".css") ? kind::style : lit.ends_with(".js") ? kind::script : kind::other});
    }
    return out;
}

struct verify_failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

int verify_web(const release_command& cmd) {
    std::string why;
    auto at = origin::parse(cmd.url, why);
    if (!at) {
        std::cerr << "peerline verify-web: " << why << "\n";
        return 2;
    }
    auto root_raw = crypto::from_base64url(cmd.org_public_key);
    if (!root_raw || root_raw->size() != 32) {
        std::cerr << "peerline verify-web: --org-public-key must be a 32-byte Ed25519 key in base64url\n";
        return 2;
    }
    crypto::e2e::pub32 root{};
    std::copy(root_raw->begin(), root_raw->end(), root.begin());
    fetch_options opts;
    opts.timeout = std::chrono::seconds(std::max(1u, cmd.timeout_s));
    opts.ca_file = cmd.ca_file;

    auto get = [&](const std::string& target, kind k) {
        auto r = http_get(*at, target, browser_headers(k, *at), opts);
        if (r.status != 200)
            throw verify_failure(target + " answered HTTP " + std::to_string(r.status) + ", not 200");
        return r;
    };

    try {
        auto manifest_res = get(std::string(release::manifest_path), kind::other);
        auto v = release::verify(manifest_res.body, root);
        if (!v.ok())
            throw verify_failure(std::string(release::manifest_path) + " is refused (" +
                                 std::string(release::failure_name(v.err)) + "): " + v.detail);
        const auto& m = v.value;
        auto fp = release::fingerprint(manifest_res.body);
        if (!cmd.expect_release.empty() && cmd.expect_release != fp)
            throw verify_failure("the service serves release " + fp + ", not the expected " + cmd.expect_release);

        // Pages first (the landing page as "/"), then what they load, then
        // everything else the release lists: nothing listed goes unchecked.
        struct item {
            std::string target; // what is requested
            std::string path;   // the manifest entry it must match
            kind as;
            std::string loaded_by;
        };
        std::deque<item> queue{{"/", "/index.html", kind::document, ""}};
        for (const auto& [path, d] : m.files)
            if (path.ends_with(".html")) queue.push_back({path, path, kind::document, ""});
        std::set<std::string> seen;
        std::size_t pages = 0;
        auto check = [&](const item& it) {
            auto by = it.loaded_by.empty() ? std::string() : " (loaded by " + it.loaded_by + ")";
            auto listed = m.files.find(it.path);
            if (listed == m.files.end())
                throw verify_failure(it.path + by + " is not in the signed release");
            auto r = get(it.target, it.as);
            if (r.header("content-security-policy") != m.csp)
                throw verify_failure(it.target + by + " is served with the Content-Security-Policy \"" +
                                     r.header("content-security-policy") + "\", not the signed \"" + m.csp + "\"");
            auto actual = release::sha256(r.body);
            if (actual != listed->second)
                throw verify_failure(it.target + by + " differs from the signed release (served SHA-256 " +
                                     release::to_hex(actual) + ", signed " + release::to_hex(listed->second) + ")");
            std::vector<reference> refs;
            if (it.as == kind::document) {
                ++pages;
                refs = page_references(r.body);
            } else if (it.path.ends_with(".js") || it.path.ends_with(".css")) {
                refs = code_references(r.body);
            }
            for (const auto& ref : refs) {
                bool outside = false;
                auto path = resolve(it.path, ref.url, outside);
                if (outside)
                    throw verify_failure(it.path + " loads " + ref.url +
                                         " from outside this origin, which no signed release covers");
                if (path && !seen.count(*path)) queue.push_front({*path, *path, ref.as, it.path});
            }
        };
        auto drain = [&] {
            while (!queue.empty()) {
                auto it = queue.front();
                queue.pop_front();
                if (!seen.insert(it.target).second) continue;
                check(it);
            }
        };
        drain();
        for (const auto& [path, d] : m.files)
            if (!seen.count(path)) queue.push_back({path, path, kind::other, ""});
        drain();
        std::cout << "peerline verify-web: " << at->text() << " serves the signed release\n"
                  << "  release:     " << fp << " (signed " << london_time(m.issued) << ")\n"
                  << "  root:        " << org::fingerprint(m.root) << "\n"
                  << "  checked:     " << pages << " pages and " << m.files.size()
                  << " files, every byte and the Content-Security-Policy\n"
                  << "  minimum revocation-list number: " << m.min_revocation_number << "\n";
        return 0;
    } catch (const verify_failure& e) {
        std::cerr << "peerline verify-web: MISMATCH at " << at->text() << ": " << e.what() << "\n";
        return 1;
    } catch (const std::runtime_error& e) {
        std::cerr << "peerline verify-web: " << e.what() << "\n";
        return 1;
    }
}

} // namespace

int run_release(const release_command& cmd) {
    crypto::init();
    if (cmd.action == "sign-release") return sign_release(cmd);
    if (cmd.action == "verify-web") return verify_web(cmd);
    std::cerr << "peerline: unknown release action\n";
    return 2;
}

} // namespace peerline
