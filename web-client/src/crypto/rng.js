// Injectable randomness, as in crypto/include/peerline/crypto/e2e/rng.hpp.
// An rng is any object with fill(Uint8Array).
import { LABEL_TEST_RNG } from './constants.js';
import { lib, utf8, concat } from './sodium.js';

/** The platform CSPRNG through libsodium (crypto.getRandomValues). */
export class SystemRng {
  /** @param {Uint8Array} out */
  fill(out) {
    out.set(lib().randombytes_buf(out.length));
  }
}

/**
 * FOR TESTS ONLY: block i (64 bytes) is BLAKE2b-512(key = seed,
 * "PSC1/test-rng" || u64be(i)), handed out in order. Same stream as the C++
 * deterministic_rng.
 */
export class DeterministicRng {
  /** @param {Uint8Array} seed 32 bytes */
  constructor(seed) {
    this.seed = Uint8Array.from(seed);
    this.counter = 0n;
    this.block = new Uint8Array(64);
    this.used = 64;
  }

  nextBlock() {
    const c = new Uint8Array(8);
    new DataView(c.buffer).setBigUint64(0, this.counter);
    this.block = lib().crypto_generichash(64, concat(utf8(LABEL_TEST_RNG), c), this.seed);
    this.counter += 1n;
    this.used = 0;
  }

  /** @param {Uint8Array} out */
  fill(out) {
    let done = 0;
    while (done < out.length) {
      if (this.used === 64) this.nextBlock();
      const n = Math.min(out.length - done, 64 - this.used);
      out.set(this.block.subarray(this.used, this.used + n), done);
      this.used += n;
      done += n;
    }
  }
}

/** n random bytes from `rng`. */
export function draw(rng, n) {
  const b = new Uint8Array(n);
  rng.fill(b);
  return b;
}
