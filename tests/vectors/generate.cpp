// Writes the C++ implementation's PSC-1 vectors (JSON) for the JavaScript
// implementation to verify: peerline_vector_gen OUT.json
#include "runner.hpp"

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: peerline_vector_gen OUT.json\n";
        return 2;
    }
    std::ofstream out(argv[1]);
    out << peerline::vectors::run(peerline::vectors::cpp_spec()).dump(1) << '\n';
    if (!out) {
        std::cerr << "peerline_vector_gen: cannot write " << argv[1] << '\n';
        return 1;
    }
    return 0;
}
