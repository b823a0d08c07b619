// Verifies PSC-1 vector files with the C++ implementation. The files come
// from PEERLINE_VECTORS (paths separated by ':'): the JavaScript
// generator's output, and the checked-in copies in tests/vectors/.
#include "runner.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

using nlohmann::json;

namespace {

std::vector<std::string> vector_files() {
    std::vector<std::string> out;
    const char* env = std::getenv("PEERLINE_VECTORS");
    std::stringstream ss(env ? env : "");
    for (std::string p; std::getline(ss, p, ':');) {
        if (!p.empty()) out.push_back(p);
    }
    return out;
}

// Reports the first differing path, so a failure says what disagrees.
void require_same(const json& expected, const json& actual, const std::string& path) {
    if (expected.is_object() && actual.is_object()) {
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            INFO(path + "/" + it.key());
            REQUIRE(actual.contains(it.key()));
            require_same(it.value(), actual[it.key()], path + "/" + it.key());
        }
        REQUIRE(expected.size() == actual.size());
    } else if (expected.is_array() && actual.is_array()) {
        REQUIRE(expected.size() == actual.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            require_same(expected[i], actual[i], path + "/" + std::to_string(i));
        }
    } else {
        INFO(path);
        REQUIRE(expected.dump() == actual.dump());
    }
}

} // namespace

TEST_CASE("vector files from the other implementation verify byte for byte", "[e2e-vectors]") {
    const auto files = vector_files();
    REQUIRE_FALSE(files.empty());
    for (const auto& file : files) {
        INFO("vector file: " + file);
        std::ifstream in(file);
        REQUIRE(in.good());
        const json recorded = json::parse(in);
        REQUIRE(recorded["format"] == "peerline-psc1-vectors/1");
        require_same(recorded, peerline::vectors::run(recorded), "");
    }
}

TEST_CASE("the C++ generator is deterministic", "[e2e-vectors]") {
    CHECK(peerline::vectors::run(peerline::vectors::cpp_spec()) ==
          peerline::vectors::run(peerline::vectors::cpp_spec()));
}
