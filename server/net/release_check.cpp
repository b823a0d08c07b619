#include "net/release_check.hpp"

#include "peerline/crypto/release.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace peerline {

namespace fs = std::filesystem;
namespace release = crypto::release;

web_root_files read_web_root(const std::string& dir) {
    web_root_files out;
    std::uintmax_t total = 0;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, ec), end;
    if (ec) throw std::runtime_error("cannot read --web-root " + dir + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec) throw std::runtime_error("cannot read --web-root " + dir + ": " + ec.message());
        if (!it->is_regular_file()) continue;
        auto size = it->file_size();
        total += size;
        if (size > max_web_file_bytes || total > max_web_root_bytes)
            throw std::runtime_error("--web-root holds a file over 8 MiB or more than 64 MiB in all");
        std::ifstream in(it->path(), std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + it->path().string());
        std::ostringstream content;
        content << in.rdbuf();
        out.emplace("/" + fs::relative(it->path(), dir).generic_string(), content.str());
    }
    return out;
}

std::string check_web_root_release(const std::string& dir, const web_root_files& files,
                                   const std::optional<crypto::e2e::pub32>& root, std::string_view csp) {
    const std::string what = "--web-root " + dir + ": ";
    const std::string remedy =
        " Deploy the build exactly as it was signed, or rebuild and sign it: `peerline org sign-release "
        "--key ROOT.key --web-root DIR` (docs/OPERATIONS.md, \"Releasing the web client\").";
    if (!root)
        throw std::runtime_error(what + "the server checks the web client against the release signed by the "
                                        "organisation root, and no root is configured: give --org-public-key "
                                        "(demo mode uses the demo root).");
    auto found = files.find(release::manifest_path);
    if (found == files.end())
        throw std::runtime_error(what + "no signed release manifest (" + std::string(release::manifest_path).substr(1) +
                                 ")." + remedy);
    auto verified = release::verify(found->second, *root);
    if (!verified.ok())
        throw std::runtime_error(what + "the release manifest is refused (" +
                                 std::string(release::failure_name(verified.err)) + "): " + verified.detail + "." +
                                 remedy);
    if (verified.value.csp != csp)
        throw std::runtime_error(what + "the release was signed for another Content-Security-Policy than this "
                                        "server sends (signed with another peerline version?)." + remedy);
    auto served = files;
    served.erase(std::string(release::manifest_path));
    if (auto diff = release::compare(verified.value, served))
        throw std::runtime_error(what + diff->path + " " + diff->what + "." + remedy);
    return release::fingerprint(found->second);
}

} // namespace peerline
