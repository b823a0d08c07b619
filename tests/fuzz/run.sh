#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + coverage) in their
# own build directory and runs each for a bounded time: the PSC-1 decoders
# (PEERLINE_FUZZ_SECONDS, default 40) and what a proxy sends to name a client
# -- PROXY v2, IP/CIDR text, X-Forwarded-For -- from its committed seed corpus
# in tests/fuzz/corpus/proxy_address (PEERLINE_PROXY_FUZZ_SECONDS, default 20).
# Used by scripts/test.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${PEERLINE_FUZZ_BUILD_DIR:-build-fuzz}"
FUZZ_SECONDS="${PEERLINE_FUZZ_SECONDS:-40}"
PROXY_FUZZ_SECONDS="${PEERLINE_PROXY_FUZZ_SECONDS:-20}"
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPEERLINE_BUILD_SERVER=OFF -DPEERLINE_FUZZ=ON -DCMAKE_CXX_FLAGS="$SAN" >/dev/null
cmake --build "$BUILD_DIR" --target peerline_e2e_fuzz peerline_proxy_address_fuzz -j"$(nproc)"
mkdir -p "$BUILD_DIR/fuzz-corpus" "$BUILD_DIR/fuzz-corpus-proxy"
"$BUILD_DIR/tests/peerline_e2e_fuzz" -max_total_time="$FUZZ_SECONDS" -max_len=4200 -timeout=10 \
  -print_final_stats=1 "$BUILD_DIR/fuzz-corpus" 2>&1 | tail -n 25
echo "fuzz: PSC-1 decoders, no crash in ${FUZZ_SECONDS} s"
# New inputs go to the first directory (the build's); the seeds are only read.
"$BUILD_DIR/tests/peerline_proxy_address_fuzz" -max_total_time="$PROXY_FUZZ_SECONDS" -max_len=2100 \
  -timeout=10 -print_final_stats=1 "$BUILD_DIR/fuzz-corpus-proxy" tests/fuzz/corpus/proxy_address 2>&1 |
  tail -n 12
echo "fuzz: proxy address decoders, no crash in ${PROXY_FUZZ_SECONDS} s"
