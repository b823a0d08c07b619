// Peerline's end-to-end protocol PSC-1 for the browser (docs/CRYPTO.md).
// Plain ES modules over libsodium-wrappers; `await ready()` before use.
export * from './constants.js';
export { E2eError, ERROR_CODES, warningFor } from './errors.js';
export { ready, toHex, fromHex } from './sodium.js';
export { SystemRng, DeterministicRng } from './rng.js';
export * from './certificate.js';
export * from './directory.js';
export * from './frames.js';
export { bucketFor, pad, unpad } from './padding.js';
export { Session, safetyCodeFor } from './session.js';
export {
  GpHandshake, ListenerHandshake, SidCache, generateListenerIdentity, makeDeviceEnrolmentRequest, makeEnrolmentRequest,
} from './handshake.js';
export * as org from './org.js';
export { generateDeviceIdentity, importDeviceIdentity, isDeviceIdentity, unwrapLegacyIdentity } from './keystore.js';
export { rootPublicKeyFromText, fingerprint } from './trust.js';
