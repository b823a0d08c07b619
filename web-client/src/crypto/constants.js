// Every size, limit and label of PSC-1 (docs/CRYPTO.md). Mirrors
// crypto/include/peerline/crypto/e2e/limits.hpp and the labels of
// crypto/src/e2e/primitives.hpp; the shared test vectors catch any drift.

export const PROTOCOL_VERSION = 1;

export const FRAME_HELLO = 1;
export const FRAME_RESPONSE = 2;
export const FRAME_CONFIRM = 3;
export const FRAME_MESSAGE = 4;

export const STRUCT_CERTIFICATE = 0x10;
export const STRUCT_REVOCATION_LIST = 0x11;
export const STRUCT_ENROLMENT = 0x12;
export const STRUCT_REVOCATION_DELEGATION = 0x13;
export const STRUCT_DIRECTORY = 0x14;

export const ROLE_LISTENER = 1;
export const ROLE_SUPERVISOR = 2;

export const SID_BYTES = 16;
export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const HEADER_BYTES = 40;
export const ENC_HEADER_BYTES = HEADER_BYTES + TAG_BYTES;
export const SEQ_BYTES = 4;

export const MAX_HANDLE_BYTES = 64;
export const MAX_CERT_VALIDITY_S = 30n * 24n * 3600n;
export const MAX_CRL_VALIDITY_S = 48n * 3600n;
export const MAX_DELEGATION_VALIDITY_S = 366n * 24n * 3600n;
export const DELEGATION_BYTES = 2 + 32 + 8 + 8 + 64;
export const MAX_DIRECTORY_ENTRIES = 2000;
export const DIRECTORY_ENTRY_FIXED_BYTES = 1 + 8 + 8 + 8 + 32;
export const MAX_REVOKED_SERIALS = 10000;
export const MAX_SERIAL = (1n << 63n) - 1n;
export const CERT_FIXED_BYTES = 92;
export const MIN_CERT_BYTES = CERT_FIXED_BYTES + 1 + SIGNATURE_BYTES;
export const MAX_CERT_BYTES = CERT_FIXED_BYTES + MAX_HANDLE_BYTES + SIGNATURE_BYTES;

export const FRAME_BUCKETS = Object.freeze([1024, 4096, 16384, 65536]);
export const PREFIX_BYTES = 2 + SID_BYTES;
export const HELLO_BYTES = PREFIX_BYTES + KEY_BYTES;
// Every response has this one size: the certificate is followed by zeros up
// to MAX_CERT_BYTES, so the frame's length does not reveal the handle's.
export const RESPONSE_BYTES = PREFIX_BYTES + KEY_BYTES + 2 + MAX_CERT_BYTES + SIGNATURE_BYTES;
export const MESSAGE_OVERHEAD = PREFIX_BYTES + NONCE_BYTES + ENC_HEADER_BYTES + NONCE_BYTES + TAG_BYTES;
export const CONFIRM_OVERHEAD = MESSAGE_OVERHEAD + KEY_BYTES;
export const MAX_PAYLOAD_BYTES = 65536 - CONFIRM_OVERHEAD - SEQ_BYTES - 1;

export const MAX_SKIP = 100;
export const MAX_SKIPPED_KEYS = 500;
export const SKIPPED_KEY_MAX_AGE = 100;
export const SID_CACHE_ENTRIES = 4096;

export const LABEL_CERTIFICATE = 'PSC1/certificate';
export const LABEL_REVOCATION = 'PSC1/revocation-list';
export const LABEL_ENROLMENT = 'PSC1/enrolment';
export const LABEL_DELEGATION = 'PSC1/revocation-delegation';
export const LABEL_DIRECTORY = 'PSC1/directory';
export const LABEL_KEY_FINGERPRINT = 'PSC1/key-fingerprint';
export const LABEL_COMMIT = 'PSC1/commit';
export const LABEL_RESPONSE = 'PSC1/response';
export const LABEL_TRANSCRIPT = 'PSC1/transcript';
export const LABEL_SAFETY = 'PSC1/safety-code';
export const LABEL_TEST_RNG = 'PSC1/test-rng';
export const LABEL_ROOT_FINGERPRINT = 'PSC1/root-fingerprint';
export const KEY_HANDSHAKE = 'PSC1/handshake-key';
export const CTX_HANDSHAKE = 'PSC1_hs_';
export const CTX_ROOT = 'PSC1_rk_';
export const CTX_CHAIN = 'PSC1_ck_';
