// The organisation's root-signed directory (handle -> the one current
// certificate: serial, validity, identity key). docs/CRYPTO.md §3.5. The
// check of a whole trust state (delegation, revocation list, directory) is
// certificate.js's verifyTrustState.
// Twin of crypto/src/e2e/directory.cpp.
import * as C from './constants.js';
import { fail } from './errors.js';
import { readHandle, readHeader, readSignatureEnd, validHandle, withSig } from './signed.js';
import { sign, verify } from './sodium.js';
import { Reader, Writer } from './wire.js';

/**
 * @typedef {object} DirectoryEntry
 * @property {string} handle
 * @property {bigint} serial
 * @property {bigint} notBefore
 * @property {bigint} notAfter
 * @property {Uint8Array} identityKey
 */

/**
 * @typedef {object} Directory
 * @property {bigint} number
 * @property {bigint} issuedAt
 * @property {DirectoryEntry[]} entries  strictly ascending by handle (bytewise; handles are ASCII)
 * @property {bigint[]} retired  serials a newer certificate replaced, strictly ascending
 * @property {Uint8Array} signature
 */

const enc = new TextEncoder();

function directoryTbs(d) {
  const w = new Writer()
    .u8(C.PROTOCOL_VERSION).u8(C.STRUCT_DIRECTORY)
    .u64(d.number).u64(d.issuedAt).u32(d.entries.length);
  for (const e of d.entries) {
    w.u8(e.handle.length).put(enc.encode(e.handle))
      .u64(e.serial).u64(e.notBefore).u64(e.notAfter).put(e.identityKey);
  }
  w.u32(d.retired.length);
  for (const s of d.retired) w.u64(s);
  return w.bytes();
}

const validSerial = (s) => s !== 0n && s <= C.MAX_SERIAL;

function checkDirectory(d) {
  if (d.number === 0n) fail('bad_field');
  if (d.entries.length > C.MAX_DIRECTORY_ENTRIES || d.retired.length > C.MAX_REVOKED_SERIALS) fail('bad_length');
  d.entries.forEach((e, i) => {
    if (!validHandle(e.handle) || !validSerial(e.serial) || e.notAfter <= e.notBefore) fail('bad_field');
    if (i > 0 && !(d.entries[i - 1].handle < e.handle)) fail('bad_field');
  });
  d.retired.forEach((s, i) => {
    if (!validSerial(s) || (i > 0 && s <= d.retired[i - 1])) fail('bad_field');
  });
}

/** @param {Directory} d */
export const encodeDirectory = (d) => withSig(directoryTbs(d), d.signature);

/** @param {Uint8Array} bytes @returns {Directory} */
export function decodeDirectory(bytes) {
  const maxBytes = 2 + 8 + 8 + 4 + C.MAX_DIRECTORY_ENTRIES * (C.DIRECTORY_ENTRY_FIXED_BYTES + 64) + 4 +
    C.MAX_REVOKED_SERIALS * 8 + C.SIGNATURE_BYTES;
  if (bytes.length > maxBytes) fail('bad_length');
  const r = new Reader(bytes);
  readHeader(r, C.STRUCT_DIRECTORY);
  const number = r.u64();
  const issuedAt = r.u64();
  const count = r.u32();
  if (count > C.MAX_DIRECTORY_ENTRIES) fail('bad_length');
  if (r.remaining < count * (C.DIRECTORY_ENTRY_FIXED_BYTES + 1)) fail('truncated');
  const entries = [];
  for (let i = 0; i < count; i++) {
    const handle = readHandle(r);
    const serial = r.u64();
    const notBefore = r.u64();
    const notAfter = r.u64();
    const identityKey = r.take(32);
    entries.push({ handle, serial, notBefore, notAfter, identityKey });
  }
  const n = r.u32();
  if (n > C.MAX_REVOKED_SERIALS) fail('bad_length');
  const need = n * 8 + C.SIGNATURE_BYTES;
  if (r.remaining < need) fail('truncated');
  if (r.remaining > need) fail('trailing_bytes');
  const retired = [];
  for (let i = 0; i < n; i++) retired.push(r.u64());
  const signature = readSignatureEnd(r);
  const d = { number, issuedAt, entries, retired, signature };
  checkDirectory(d);
  return d;
}

/**
 * @param {Omit<Directory,'signature'>} d @param {Uint8Array} rootSecret
 * @returns {Directory}
 */
export function signDirectory(d, rootSecret) {
  const entries = [...d.entries].sort((a, b) => (a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0));
  const retired = [...new Set(d.retired.map(BigInt))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = { ...d, entries, retired };
  checkDirectory(out);
  return { ...out, signature: sign(C.LABEL_DIRECTORY, directoryTbs(out), rootSecret) };
}

export const directorySignatureOk = (d, root) => verify(C.LABEL_DIRECTORY, directoryTbs(d), d.signature, root);

/** @param {Directory} d @param {string} handle @returns {DirectoryEntry|undefined} */
export const findEntry = (d, handle) => d.entries.find((e) => e.handle === handle);
