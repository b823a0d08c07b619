// Bounds-checked big-endian reader and writer (crypto/src/e2e/wire.hpp).
// Reader methods throw E2eError('truncated') instead of reading past the end.
import { fail } from './errors.js';

export class Reader {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.b = bytes;
    this.pos = 0;
  }
  get remaining() {
    return this.b.length - this.pos;
  }
  /** @param {number} n @returns {Uint8Array} a copy */
  take(n) {
    if (this.remaining < n) fail('truncated');
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8() {
    return this.take(1)[0];
  }
  u16() {
    const v = this.take(2);
    return (v[0] << 8) | v[1];
  }
  u32() {
    const v = this.take(4);
    return ((v[0] << 24) >>> 0) + (v[1] << 16) + (v[2] << 8) + v[3];
  }
  /** @returns {bigint} */
  u64() {
    const v = this.take(8);
    return new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0);
  }
}

export class Writer {
  constructor() {
    /** @type {number[]} */
    this.parts = [];
  }
  put(bytes) {
    for (const x of bytes) this.parts.push(x);
    return this;
  }
  u8(v) {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v) {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v) {
    return this.u8(v >>> 24).u8(v >>> 16).u8(v >>> 8).u8(v);
  }
  /** @param {bigint} v */
  u64(v) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v));
    return this.put(b);
  }
  get length() {
    return this.parts.length;
  }
  bytes() {
    return Uint8Array.from(this.parts);
  }
}
