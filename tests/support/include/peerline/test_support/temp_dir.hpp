// A fresh directory under the system temp dir, removed with everything in it
// when the object goes away. Set PEERLINE_KEEP_TEST_DIRS=1 to keep them for
// a post-mortem (logs, redis output).
#pragma once

#include <filesystem>
#include <string_view>

namespace peerline::test_support {

class temp_dir {
  public:
    explicit temp_dir(std::string_view prefix = "peerline-test");
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

} // namespace peerline::test_support
