// The organisation's daily cron line, `scripts/resign-revocation-list URL
// DIR`, against the real server: it logs in, signs the next list with the
// job's delegated revocation key (never the server's) and publishes it; run
// again it carries every revocation on, from its own record.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as psc1 from '../../src/crypto/index.js';
import * as h from './harness.mjs';

const skip = h.skipReason();
let stack;

before(async () => {
  if (skip) return;
  stack = await h.startStack({});
  await psc1.ready();
});

after(async () => {
  await stack?.stop();
});

test('one cron line signs and publishes the next revocation list, never forgetting a revocation', { skip }, async () => {
  await stack.createAdmin('cron.admin');
  const dir = join(stack.dir, 'org-machine');
  mkdirSync(dir);
  const out = h.run([h.PEERLINE, 'org', 'revocation-keygen', '--out', join(dir, 'revocation.key')]);
  const pub = /public key:\s+(\S+)/.exec(out)?.[1];
  h.run([h.PEERLINE, 'org', 'delegate-revocation', '--key', h.ORG_KEY_FILE, '--revocation-public-key', pub,
    '--out', join(dir, 'revocation.delegation')]);
  writeFileSync(join(dir, 'org-public-key'), `${h.orgKey().publicKey}\n`);
  writeFileSync(join(dir, 'admin-username'), 'cron.admin\n');
  writeFileSync(join(dir, 'admin-password'), `${h.PASSWORD}\n`);
  chmodSync(join(dir, 'admin-password'), 0o600);
  const script = join(h.REPO, 'scripts/resign-revocation-list');
  const env = { PEERLINE_BINARY: h.PEERLINE };

  h.run([script, stack.baseUrl, dir, '--revoke', '77'], { env });
  h.run([script, stack.baseUrl, dir], { env });
  const r = await stack.api('GET', '/api/revocation-list');
  assert.equal(r.status, 200);
  const list = psc1.decodeRevocationList(Buffer.from(r.body.revocation_list, 'base64url'));
  assert.equal(list.number, 2n);
  assert.deepEqual(list.serials, [77n], 'the second run carries the first run\'s revocation on');
  assert.equal(list.nextUpdate - list.issuedAt, 48n * 3600n);
  const delegation = psc1.decodeRevocationDelegation(Buffer.from(r.body.revocation_delegation, 'base64url'));
  assert.equal(Buffer.from(delegation.revocationKey).toString('base64url'), pub, 'signed by the job\'s own key');
});
