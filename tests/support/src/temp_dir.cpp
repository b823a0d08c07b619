// See temp_dir.hpp.
#include "peerline/test_support/temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace peerline::test_support {

temp_dir::temp_dir(std::string_view prefix) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp(" + pattern + "): " + std::strerror(errno));
    }
    path_ = pattern;
}

temp_dir::~temp_dir() {
    if (const char* keep = std::getenv("PEERLINE_KEEP_TEST_DIRS"); keep && *keep && *keep != '0') {
        std::cerr << "keeping test directory " << path_ << "\n";
        return;
    }
    std::error_code ec; // a destructor must not throw; a leftover dir is harmless
    std::filesystem::remove_all(path_, ec);
}

} // namespace peerline::test_support
