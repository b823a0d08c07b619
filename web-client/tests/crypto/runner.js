// The JavaScript side of the shared PSC-1 vectors: runs a specification
// (seeds, inputs, schedule) and fills in every output, exactly as
// tests/vectors/runner.cpp does. Verification re-runs the other
// implementation's file, decrypting that file's frames, and compares.
import * as C from '../../src/crypto/constants.js';
import { E2eError } from '../../src/crypto/errors.js';
import { bucketFor, pad } from '../../src/crypto/padding.js';
import { DeterministicRng } from '../../src/crypto/rng.js';
import {
  decodeEnrolmentRequest, encodeCertificate, encodeRevocationList, revocationListSignedBytes, verifyListenerCertificate,
} from '../../src/crypto/certificate.js';
import { decodeDirectory } from '../../src/crypto/directory.js';
import {
  GpHandshake, ListenerHandshake, SidCache, generateListenerIdentity, makeDeviceEnrolmentRequest, makeEnrolmentRequest,
} from '../../src/crypto/handshake.js';
import { importDeviceIdentity } from '../../src/crypto/keystore.js';
import * as org from '../../src/crypto/org.js';
import { fromHex, lib, toHex, utf8, concat } from '../../src/crypto/sodium.js';

const unhex = (h) => fromHex(h);
const seedOf = (h) => {
  const b = unhex(h);
  if (b.length !== 32) throw new Error('vectors: seed must be 32 bytes');
  return b;
};

function makeOrg(o) {
  const root = org.generateRootKey(new DeterministicRng(seedOf(o.root_seed)));
  const revocation = org.generateRevocationKey(new DeterministicRng(seedOf(o.revocation_seed)));
  const listener = generateListenerIdentity(new DeterministicRng(seedOf(o.listener_seed)));
  return { root, revocation, listener };
}

function makeCert(s, signer, c) {
  if (BigInt(c.validity) > C.MAX_CERT_VALIDITY_S) {
    // As a faulty tool would: sign without the 30-day check.
    const req = decodeEnrolmentRequest(makeEnrolmentRequest(s.listener, c.handle));
    const cert = {
      role: c.role, serial: BigInt(c.serial), notBefore: BigInt(c.not_before),
      notAfter: BigInt(c.not_before) + BigInt(c.validity),
      identityKey: req.identityKey, signedKey: req.signedKey, handle: c.handle, signature: new Uint8Array(64),
    };
    const tbs = encodeCertificate(cert).subarray(0, -64);
    cert.signature = lib().crypto_sign_detached(concat(utf8(C.LABEL_CERTIFICATE), tbs), signer.secret);
    return encodeCertificate(cert);
  }
  return org.certify(signer, makeEnrolmentRequest(s.listener, c.handle), c.role, c.serial, c.not_before, c.validity);
}

// The trust state a case runs under (twin of make_trust in runner.cpp): the
// revocation key delegated from the list's issue for 366 days; a directory
// naming the case's certificate (made by the root; `directory_serial` names
// another serial instead); a list built by `number` successive signings, the
// last adding the revoked serials — or, for a faulty or hostile signer
// (`signer: "root"`, validity over 48 hours), signed raw.
function makeTrust(s, cert, l, c) {
  const revocationDelegation = org.delegateRevocation(s.root, s.revocation.publicKey, l.issued_at, C.MAX_DELEGATION_VALIDITY_S);
  const dirCert = 'directory_serial' in c ? { ...cert, serial: c.directory_serial } : cert;
  const directory = org.updateDirectory(s.root, null, makeCert(s, s.root, dirCert), l.issued_at);
  const signer = l.signer ?? 'revocation';
  let revocationList = new Uint8Array(0);
  if (signer !== 'revocation' || BigInt(l.validity) > C.MAX_CRL_VALIDITY_S) {
    const raw = {
      number: BigInt(l.number), issuedAt: BigInt(l.issued_at), nextUpdate: BigInt(l.issued_at) + BigInt(l.validity),
      directoryNumber: decodeDirectory(directory).number,
      serials: l.revoked.map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    };
    const secret = signer === 'root' ? s.root.secret : s.revocation.secret;
    revocationList = encodeRevocationList({ ...raw, signature: lib().crypto_sign_detached(revocationListSignedBytes(raw), secret) });
  } else {
    for (let i = 1; i <= l.number; i++) {
      revocationList = org.signNextRevocationList(s.revocation, {
        root: s.root.publicKey, delegation: revocationDelegation, previous: [revocationList], directory,
        addSerials: i === l.number ? l.revoked : [], now: l.issued_at, validity: l.validity,
      });
    }
  }
  return { root: s.root.publicKey, revocationDelegation, directory, revocationList };
}

function mutate(b, c) {
  let out = Uint8Array.from(b);
  if ('flip_bit' in c) {
    if (c.flip_bit >> 3 >= out.length) throw new RangeError('vectors: flip_bit outside the certificate');
    out[c.flip_bit >> 3] ^= 1 << (c.flip_bit & 7);
  }
  if ('truncate' in c) out = out.slice(0, out.length - c.truncate);
  if ('append' in c) out = concat(out, new Uint8Array(1));
  return out;
}

const errorName = (e) => {
  if (e instanceof E2eError) return e.code;
  throw e;
};

function runCertificateCase(s, c) {
  const signer = c.signer === 'other' ? org.generateRootKey(new DeterministicRng(seedOf(c.other_seed))) : s.root;
  const cert = mutate(makeCert(s, signer, c.cert), c);
  const trust = makeTrust(s, c.cert, c.crl, c);
  if ('flip_list_bit' in c) {
    trust.revocationList = Uint8Array.from(trust.revocationList);
    trust.revocationList[c.flip_list_bit >> 3] ^= 1 << (c.flip_list_bit & 7);
  }
  const out = {
    ...c, certificate: toHex(cert), revocation_list: toHex(trust.revocationList),
    revocation_delegation: toHex(trust.revocationDelegation), directory: toHex(trust.directory),
  };
  try {
    const v = verifyListenerCertificate(cert, {
      ...trust, now: c.now, allowedRoles: c.allowed_roles, minCrlNumber: c.min_crl_number,
    });
    out.result = 'ok';
    out.handle = v.handle;
  } catch (e) {
    out.result = errorName(e);
  }
  return out;
}

function resultJson(fn) {
  try {
    const m = fn();
    return { payload: toHex(m.payload), seq: m.seq, late: m.late, gap_before: m.gapBefore, expired: m.expired };
  } catch (e) {
    return { error: errorName(e) };
  }
}

async function runConversation(s, c, deviceKeys) {
  const out = { ...c };
  const raw = { ...s.listener, certificate: makeCert(s, s.root, c.org.cert) };
  // With deviceKeys, the listener's IK and S are non-extractable WebCrypto
  // keys (as in the browser); the bytes must not change.
  const listener = deviceKeys
    ? await importDeviceIdentity({ ...raw, identitySecret: raw.identitySecret.slice(), signedSecret: raw.signedSecret.slice() })
    : raw;
  const trust = { ...makeTrust(s, c.org.cert, c.org.crl, c.org), now: c.now };
  const g = new DeterministicRng(seedOf(c.gp_seed));
  const l = new DeterministicRng(seedOf(c.listener_seed));
  const verifying = 'hello' in c;
  const gp = new GpHandshake(g);
  out.hello = toHex(gp.hello);
  const lh = await ListenerHandshake.respond(listener, verifying ? unhex(c.hello) : gp.hello, new SidCache(), l);
  out.response = toHex(lh.response);
  const ge = gp.onResponse(verifying ? unhex(c.response) : lh.response, trust, unhex(c.first_payload), g);
  out.confirm = toHex(ge.confirm);
  const le = await lh.onConfirm(verifying ? unhex(c.confirm) : ge.confirm, l);
  out.transcript_hash = toHex(ge.session.transcriptHash);
  out.safety_code_gp = ge.session.safetyCode();
  out.safety_code_listener = le.session.safetyCode();
  out.first = resultJson(() => le.first);
  out.listener_handle = ge.listener.handle;

  const frames = [];
  const senders = [];
  out.steps = c.steps.map((step0) => {
    const step = { ...step0 };
    if (step.op === 'send') {
      const fromGp = step.from === 'gp';
      const f = (fromGp ? ge.session : le.session).encrypt(unhex(step.payload), fromGp ? g : l);
      frames.push('frame' in step0 ? unhex(step0.frame) : f);
      senders.push(step.from);
      step.frame = toHex(f);
    } else {
      const toListener = senders[step.index] === 'gp';
      const frame = frames[step.index];
      step.result = resultJson(() => (toListener ? le.session.decrypt(frame, l) : ge.session.decrypt(frame, g)));
    }
    return step;
  });
  return out;
}

function runPadding(p) {
  const n = p.payload_bytes;
  const out = {
    ...p,
    message_frame: bucketFor(n + C.SEQ_BYTES, C.MESSAGE_OVERHEAD),
    confirm_frame: bucketFor(n + C.SEQ_BYTES, C.CONFIRM_OVERHEAD),
  };
  if (n <= 64) out.padded_in_128 = toHex(pad(new Uint8Array(n).fill(0xab), 128));
  return out;
}

/**
 * Returns `spec` with every output filled in. With `deviceKeys`, the
 * listener's keys are held by WebCrypto (keystore.js), as in the browser.
 */
export async function run(spec, { deviceKeys = false } = {}) {
  const out = structuredClone(spec);
  out.rng = spec.rng.map((r) => {
    const d = new DeterministicRng(seedOf(r.seed));
    const b = new Uint8Array(r.bytes);
    const third = Math.floor(r.bytes / 3);
    d.fill(b.subarray(0, third));
    d.fill(b.subarray(third));
    return { ...r, output: toHex(b) };
  });
  out.padding = spec.padding.map(runPadding);
  const s = makeOrg(spec.org);
  out.org = {
    ...spec.org,
    root_public: toHex(s.root.publicKey),
    fingerprint: org.fingerprint(s.root.publicKey),
    listener_identity_public: toHex(s.listener.identityPublic),
    listener_signed_public: toHex(s.listener.signedPublic),
    listener_fingerprint: org.keyFingerprint(s.listener.identityPublic),
    revocation_public: toHex(s.revocation.publicKey),
    enrolment: toHex(deviceKeys
      ? await makeDeviceEnrolmentRequest(await importDeviceIdentity({
        ...s.listener, identitySecret: s.listener.identitySecret.slice(), signedSecret: s.listener.signedSecret.slice(),
      }), spec.org.handle)
      : makeEnrolmentRequest(s.listener, spec.org.handle)),
  };
  out.certificates = spec.certificates.map((c) => runCertificateCase(s, c));
  out.conversations = [];
  for (const c of spec.conversations) out.conversations.push(await runConversation(s, c, deviceKeys));
  if (spec.ed25519) {
    // Raw Ed25519 edge cases: both libsodium builds must agree on each.
    out.ed25519 = spec.ed25519.map((e) => {
      let valid;
      try {
        valid = lib().crypto_sign_verify_detached(unhex(e.signature), unhex(e.message), unhex(e.public_key));
      } catch {
        valid = false;
      }
      return { ...e, valid };
    });
  }
  return out;
}

const seedHex = (n) => toHex(new Uint8Array(32).fill(n));
const hexOf = (s) => toHex(utf8(s));

// mulberry32: the JS generator's own network randomness (recorded in the file).
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  };
}

/** Long exchange with both sides typing, held-back, dropped and duplicated frames. */
function schedule(seed, messages) {
  const net = prng(seed);
  const steps = [];
  const held = [];
  let sent = 0;
  for (let m = 0; m < messages; m++) {
    const from = net() % 3 === 0 ? 'listener' : 'gp';
    steps.push({ op: 'send', from, payload: hexOf(`${from} says ${m} ${'.'.repeat(net() % 40)}`) });
    const idx = sent++;
    const roll = net() % 100;
    if (roll < 20) held.push(idx);
    else if (roll >= 22) {
      steps.push({ op: 'deliver', index: idx });
      if (roll > 95) steps.push({ op: 'deliver', index: idx });
    }
    if (held.length && net() % 4 === 0) steps.push({ op: 'deliver', index: held.splice(net() % held.length, 1)[0] });
  }
  for (const h of held) steps.push({ op: 'deliver', index: h });
  return steps;
}

/** The JavaScript generator's specification (its own seeds and schedule). */
export function jsSpec() {
  const now = 1760000000;
  const day = 86400;
  const crl = { number: 1, issued_at: now - day, validity: 2 * day, revoked: [] };
  const good = { handle: 'listener-7', role: 1, serial: 1001, not_before: now - 2 * day, validity: 14 * day };
  const certCase = (name, cert, list = crl, extra = {}) => ({
    name, cert, crl: list, now, allowed_roles: [1], min_crl_number: 0, ...extra,
  });
  const certificates = [
    certCase('valid', good),
    certCase('expired', { ...good, not_before: now - 15 * day }),
    certCase('not yet valid', { ...good, not_before: now + 60 }),
    certCase('revoked', good, { ...crl, number: 3, revoked: [5, 1001] }),
    certCase('wrong role', { ...good, role: 2 }),
    certCase('validity 30 days and 1 second', { ...good, validity: 30 * day + 1 }),
    certCase('signed by another root', good, crl, { signer: 'other', other_seed: seedHex(0x99) }),
    certCase('signature bit flipped', good, crl, { flip_bit: 8 * 160 + 3 }),
    certCase('handle bit flipped', good, crl, { flip_bit: 8 * 93 }),
    certCase('stale list', good, { ...crl, issued_at: now - 3 * day, validity: 2 * day }),
    certCase('rollback', good, crl, { min_crl_number: 5 }),
    certCase('list valid 49 hours', good, { ...crl, validity: 49 * 3600 }),
    certCase('list signed by the root', good, { ...crl, signer: 'root' }),
    certCase('replaced certificate', good, crl, { directory_serial: 1002 }),
    certCase('list number bit flipped', good, crl, { flip_list_bit: 8 * 9 }),
    certCase('list directory number bit flipped', good, crl, { flip_list_bit: 8 * 33 + 4 }),
  ];
  const padding = [0, 2, 63, 849, 850, 851, 881, 882, 3000, 4000, 65000].map((n) => ({ payload_bytes: n }));
  const convOrg = { cert: good, crl };
  return {
    format: 'peerline-psc1-vectors/1',
    generator: 'js',
    rng: [{ seed: seedHex(2), bytes: 300 }],
    padding,
    org: { root_seed: seedHex(0x21), revocation_seed: seedHex(0x23), listener_seed: seedHex(0x22), handle: 'listener-7' },
    certificates,
    conversations: [
      {
        name: 'long exchange, listener-heavy bursts, loss and duplicates',
        org: convOrg, now, gp_seed: seedHex(0x51), listener_seed: seedHex(0x52),
        first_payload: hexOf('Hello, is anyone there?'), steps: schedule(7, 150),
      },
    ],
  };
}
