#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + coverage) in their
# own build directory and runs each for a bounded time. Used by scripts/test:
#  - the PSC-1 decoders (PEERLINE_FUZZ_SECONDS, default 40);
#  - the messages between nodes, from the checked-in seeds in
#    tests/fuzz/node_messages_seeds (PEERLINE_NODE_FUZZ_SECONDS, default 20);
#  - what a proxy sends to name a client -- PROXY v2, IP/CIDR text,
#    X-Forwarded-For -- from its committed seed corpus in
#    tests/fuzz/corpus/proxy_address (PEERLINE_PROXY_FUZZ_SECONDS, default 20).
# Each target's new inputs go to a corpus directory of its own in the build;
# the committed seeds are only read.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR="${PEERLINE_FUZZ_BUILD_DIR:-build-fuzz}"
FUZZ_SECONDS="${PEERLINE_FUZZ_SECONDS:-40}"
NODE_FUZZ_SECONDS="${PEERLINE_NODE_FUZZ_SECONDS:-20}"
PROXY_FUZZ_SECONDS="${PEERLINE_PROXY_FUZZ_SECONDS:-20}"
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPEERLINE_BUILD_SERVER=OFF -DPEERLINE_FUZZ=ON -DCMAKE_CXX_FLAGS="$SAN" >/dev/null
cmake --build "$BUILD_DIR" --target peerline_e2e_fuzz peerline_node_messages_fuzz peerline_proxy_address_fuzz \
  -j"$(nproc)"

mkdir -p "$BUILD_DIR/fuzz-corpus" "$BUILD_DIR/node-fuzz-corpus" "$BUILD_DIR/fuzz-corpus-proxy"
"$BUILD_DIR/tests/peerline_e2e_fuzz" -max_total_time="$FUZZ_SECONDS" -max_len=4200 -timeout=10 \
  -print_final_stats=1 "$BUILD_DIR/fuzz-corpus" 2>&1 | tail -n 25
echo "fuzz (PSC-1): no crash in ${FUZZ_SECONDS} s"

"$BUILD_DIR/tests/peerline_node_messages_fuzz" -max_total_time="$NODE_FUZZ_SECONDS" -max_len=4200 \
  -timeout=10 -print_final_stats=1 "$BUILD_DIR/node-fuzz-corpus" tests/fuzz/node_messages_seeds \
  2>&1 | tail -n 25
echo "fuzz (node messages): no crash in ${NODE_FUZZ_SECONDS} s"

"$BUILD_DIR/tests/peerline_proxy_address_fuzz" -max_total_time="$PROXY_FUZZ_SECONDS" -max_len=2100 \
  -timeout=10 -print_final_stats=1 "$BUILD_DIR/fuzz-corpus-proxy" tests/fuzz/corpus/proxy_address 2>&1 |
  tail -n 12
echo "fuzz (proxy address decoders): no crash in ${PROXY_FUZZ_SECONDS} s"
