// The four PSC-1 frames, encoded and strictly decoded (docs/CRYPTO.md,
// "Frames"). Twin of crypto/src/e2e/frames.cpp.
import * as C from './constants.js';
import { fail } from './errors.js';
import { Reader, Writer } from './wire.js';

function readPrefix(r, type) {
  const v = r.u8();
  const t = r.u8();
  if (v !== C.PROTOCOL_VERSION) fail('bad_version');
  if (t !== type) fail('bad_type');
  return r.take(C.SID_BYTES);
}

/** The frame type byte (1..4) of an end-to-end frame. */
export function peekFrameType(bytes) {
  if (bytes.length < 2) fail('truncated');
  if (bytes[0] !== C.PROTOCOL_VERSION) fail('bad_version');
  if (bytes[1] < C.FRAME_HELLO || bytes[1] > C.FRAME_MESSAGE) fail('bad_type');
  return bytes[1];
}

export function encodeHello({ sid, commitment }) {
  return new Writer().u8(C.PROTOCOL_VERSION).u8(C.FRAME_HELLO).put(sid).put(commitment).bytes();
}

export function encodeResponseUnsigned({ sid, ephemeral, certificate }) {
  // Zeros up to the largest certificate: every response is RESPONSE_BYTES
  // long whatever the handle's length (the signature covers them too).
  return new Writer()
    .u8(C.PROTOCOL_VERSION).u8(C.FRAME_RESPONSE).put(sid).put(ephemeral)
    .u16(certificate.length).put(certificate)
    .put(new Uint8Array(Math.max(0, C.MAX_CERT_BYTES - certificate.length)))
    .bytes();
}

export function encodeResponse(f) {
  const u = encodeResponseUnsigned(f);
  const out = new Uint8Array(u.length + 64);
  out.set(u);
  out.set(f.signature, u.length);
  return out;
}

export function decodeHello(bytes) {
  const r = new Reader(bytes);
  const sid = readPrefix(r, C.FRAME_HELLO);
  const commitment = r.take(32);
  if (r.remaining !== 0) fail('trailing_bytes');
  return { sid, commitment };
}

export function decodeResponse(bytes) {
  if (bytes.length > C.RESPONSE_BYTES) fail('bad_length');
  const r = new Reader(bytes);
  const sid = readPrefix(r, C.FRAME_RESPONSE);
  const ephemeral = r.take(32);
  const certLen = r.u16();
  if (certLen < C.MIN_CERT_BYTES || certLen > C.MAX_CERT_BYTES) fail('bad_length');
  const certificate = r.take(certLen);
  const padding = r.take(C.MAX_CERT_BYTES - certLen);
  const signature = r.take(64);
  if (r.remaining !== 0) fail('trailing_bytes');
  // One encoding only: the padding is zeros.
  if (padding.some((b) => b !== 0)) fail('bad_padding');
  return { sid, ephemeral, certificate, signature };
}

/**
 * Decodes a confirm or message frame into views of `bytes`.
 * @param {Uint8Array} bytes @param {number} type FRAME_CONFIRM or FRAME_MESSAGE
 */
export function decodeEncrypted(bytes, type) {
  const overhead = type === C.FRAME_CONFIRM ? C.CONFIRM_OVERHEAD : C.MESSAGE_OVERHEAD;
  const r = new Reader(bytes);
  const sid = readPrefix(r, type);
  if (!C.FRAME_BUCKETS.includes(bytes.length)) fail('bad_length');
  const gpEphemeral = type === C.FRAME_CONFIRM ? r.take(32) : null;
  const headerAdEnd = r.pos;
  const headerNonce = r.take(C.NONCE_BYTES);
  const encHeader = r.take(C.ENC_HEADER_BYTES);
  const bodyNonce = r.take(C.NONCE_BYTES);
  const bodyAdEnd = r.pos;
  const ciphertext = r.take(bytes.length - overhead + C.TAG_BYTES);
  return { type, sid, gpEphemeral, headerNonce, encHeader, bodyNonce, ciphertext, headerAdEnd, bodyAdEnd };
}
