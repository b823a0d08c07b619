// See signed_release.hpp.
#include "signed_release.hpp"

#include "fixture.hpp"

#include "peerline/crypto/org.hpp"
#include "peerline/test_support/files.hpp"

#include <stdexcept>

namespace peerline::integration {

root_key_file make_root_key(const std::filesystem::path& file) {
    auto made = ts::run_command({peerline_binary().string(), "org", "keygen", "--key", file.string()}, "",
                                file.parent_path());
    if (!made.status.success()) throw std::runtime_error("peerline org keygen failed:\n" + made.out + made.err);
    auto parsed = crypto::org::parse_key_file(ts::read_file(file));
    if (!parsed) throw std::runtime_error(file.string() + " is not a root key file");
    return {file, crypto::org::public_key_text(parsed->public_key)};
}

std::string sign_release(const root_key_file& root, const std::filesystem::path& web_root) {
    auto r = ts::run_command({peerline_binary().string(), "org", "sign-release", "--key", root.path.string(),
                              "--web-root", web_root.string()},
                             "", root.path.parent_path());
    if (!r.status.success()) throw std::runtime_error("peerline org sign-release failed:\n" + r.out + r.err);
    return r.out;
}

} // namespace peerline::integration
