#!/usr/bin/env bash
# Builds the PSC-1 libFuzzer target with clang (ASan + UBSan + coverage) in
# its own build directory and runs it for a bounded time. Used by
# scripts/test; PEERLINE_FUZZ_SECONDS (default 40) sets the time budget.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${PEERLINE_FUZZ_BUILD_DIR:-build-fuzz}"
FUZZ_SECONDS="${PEERLINE_FUZZ_SECONDS:-40}"
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPEERLINE_BUILD_SERVER=OFF -DPEERLINE_FUZZ=ON -DCMAKE_CXX_FLAGS="$SAN" >/dev/null
cmake --build "$BUILD_DIR" --target peerline_e2e_fuzz -j"$(nproc)"
mkdir -p "$BUILD_DIR/fuzz-corpus"
"$BUILD_DIR/tests/peerline_e2e_fuzz" -max_total_time="$FUZZ_SECONDS" -max_len=4200 -timeout=10 \
  -print_final_stats=1 "$BUILD_DIR/fuzz-corpus" 2>&1 | tail -n 25
echo "fuzz: no crash in ${FUZZ_SECONDS} s"
