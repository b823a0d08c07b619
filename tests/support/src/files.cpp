// See files.hpp.
#include "peerline/test_support/files.hpp"

#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>

namespace peerline::test_support {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return {};
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::filesystem::path& p, std::string_view contents) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!out)
        throw std::runtime_error("cannot write " + p.string());
}

std::string tail_lines(std::string_view text, std::size_t n) {
    std::size_t pos = text.size();
    if (pos > 0 && text[pos - 1] == '\n')
        --pos;
    for (std::size_t seen = 0; pos > 0; --pos) {
        if (text[pos - 1] == '\n' && ++seen == n)
            break;
    }
    return std::string(text.substr(pos));
}

std::vector<std::string> lines_containing(std::string_view text, std::string_view needle) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (line.find(needle) != std::string_view::npos)
            out.emplace_back(line);
        start = end + 1;
    }
    return out;
}

std::vector<std::filesystem::path> files_containing(const std::filesystem::path& dir,
                                                    std::string_view needle) {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && read_file(it->path()).find(needle) != std::string::npos) {
            out.push_back(it->path());
        }
    }
    return out;
}

std::string random_hex(std::size_t bytes) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (std::size_t i = 0; i < bytes; ++i) {
        auto b = static_cast<unsigned>(rng() & 0xffu);
        out += digits[b >> 4];
        out += digits[b & 0xfu];
    }
    return out;
}

} // namespace peerline::test_support
