// Shared setup for the JavaScript PSC-1 tests: an organisation, a certified
// listener, a GP's trust anchor and a handshake helper; deterministic randomness.
import { ROLE_LISTENER } from '../../src/crypto/constants.js';
import { DeterministicRng } from '../../src/crypto/rng.js';
import { GpHandshake, ListenerHandshake, SidCache, generateListenerIdentity, makeEnrolmentRequest } from '../../src/crypto/handshake.js';
import * as org from '../../src/crypto/org.js';
import { ready, utf8 } from '../../src/crypto/sodium.js';

export const T0 = 1700000000;
export const DAY = 86400;
export const seed = (n) => new Uint8Array(32).fill(n);
export const text = (b) => new TextDecoder().decode(b);
export { utf8, ready };

export function makeOrg() {
  const random = new DeterministicRng(seed(1));
  const root = org.generateRootKey(random);
  const listener = generateListenerIdentity(random);
  const certify = (id, role, serial, notBefore, validity, handle = 'dr.ames') =>
    org.certify(root, makeEnrolmentRequest(id, handle), role, serial, notBefore, validity);
  listener.certificate = certify(listener, ROLE_LISTENER, 42, T0 - DAY, 30 * DAY);
  // A trust state (delegated revocation key, directory of `certs`, list
  // revoking `revoked` issued at `issued` for `validity`) seen at T0.
  const trustWith = (certs, revoked = [], issued = T0 - DAY, validity = 2 * DAY) =>
    org.makeTrust(root, random, certs, revoked, issued, validity, T0);
  const trust = trustWith([listener.certificate]);
  const crl = trust.revocationList;
  return { random, root, listener, certify, crl, trust, trustWith };
}

/** Runs the whole handshake; returns both sessions and rngs. */
export async function connect(o, first = 'hello', gpSeed = 20, lSeed = 21) {
  const g = new DeterministicRng(seed(gpSeed));
  const l = new DeterministicRng(seed(lSeed));
  const gp = new GpHandshake(g);
  const lh = await ListenerHandshake.respond(o.listener, gp.hello, new SidCache(), l);
  const ge = gp.onResponse(lh.response, o.trust, utf8(first), g);
  const le = await lh.onConfirm(ge.confirm, l);
  return {
    gp: ge.session, listener: le.session, first: le.first, g, l, cert: ge.listener,
    hello: gp.hello, response: lh.response, confirm: ge.confirm,
  };
}

/** assert.throws matcher for an E2eError code. */
export const code = (c) => (e) => e.code === c;
