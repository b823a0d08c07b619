// A mentor's private notes (src/mentoring/notes-crypto.ts, notes-export.ts):
// AES-GCM under a non-extractable device key, and the export file under a
// passphrase (Argon2id + AES-GCM). The attacks are performed: another key,
// another mentee's record, a flipped bit, a wrong passphrase, a changed file,
// a file asking for an absurd cost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argon2id } from '@noble/hashes/argon2.js';
import { load } from './bundle.mjs';

const N = await load('notes-crypto');
const E = await load('notes-export');

const CANARY = 'CANARY-7f3a: felt unable to face the partners meeting';
const NOTE = { text: `${CANARY}\nFollow up: GP health service referral, dates; commas, "quotes".`, updatedMs: Date.UTC(2026, 10, 3, 15, 0) };
// Cheaper than the default so the suite stays quick; still within the file's limits.
const TEST_COST = { t: 2, m: 19_456, p: 1 };
const PASS = 'plough lantern october kettle';

const refusal = (code) => (e) => { assert.equal(e.name, 'NotesError'); assert.equal(e.code, code, e.message); return true; };
const hasCanary = (b) => Buffer.from(b).toString('latin1').includes('CANARY') || Buffer.from(b).toString('utf8').includes('CANARY');

test('a note round-trips under the device key, whose bytes cannot be read', async () => {
  const key = await N.createNotesKey();
  assert.equal(key.extractable, false);
  assert.deepEqual([...key.usages].sort(), ['decrypt', 'encrypt']);
  await assert.rejects(crypto.subtle.exportKey('raw', key), 'exportKey refuses');
  await assert.rejects(crypto.subtle.exportKey('jwk', key));
  const sealed = await N.sealNote(key, 'rel-1', NOTE);
  assert.equal(sealed.iv.length, 12);
  assert.ok(!hasCanary(sealed.ct), 'no plaintext in what is stored');
  assert.deepEqual(await N.openNote(key, 'rel-1', sealed), NOTE);
  const again = await N.sealNote(key, 'rel-1', NOTE);
  assert.notDeepEqual(again.iv, sealed.iv, 'a fresh IV each time');
  assert.deepEqual(await N.openNote(key, 'rel-1', { ...NOTE, v: 1, iv: sealed.iv, ct: sealed.ct }), NOTE);
});

test('a note does not open under another key, for another mentee, or with a bit changed', async () => {
  const key = await N.createNotesKey();
  const sealed = await N.sealNote(key, 'rel-1', NOTE);
  await assert.rejects(N.openNote(await N.createNotesKey(), 'rel-1', sealed), refusal('cannot_open'));
  await assert.rejects(N.openNote(key, 'rel-2', sealed), refusal('cannot_open'), 'moved to another mentee\'s record');
  for (const i of [0, Math.floor(sealed.ct.length / 2), sealed.ct.length - 1]) {
    const ct = Uint8Array.from(sealed.ct);
    ct[i] ^= 1;
    await assert.rejects(N.openNote(key, 'rel-1', { ...sealed, ct }), refusal('cannot_open'), `bit flipped at ${i}`);
  }
  const iv = Uint8Array.from(sealed.iv);
  iv[0] ^= 0x80;
  await assert.rejects(N.openNote(key, 'rel-1', { ...sealed, iv }), refusal('cannot_open'));
  await assert.rejects(N.openNote(key, 'rel-1', { ...sealed, ct: sealed.ct.subarray(0, 15) }), refusal('cannot_open'));
  await assert.rejects(N.openNote(key, 'rel-1', { ...sealed, v: 2 }), refusal('cannot_open'));
  await assert.rejects(N.sealNote(key, 'rel 1', NOTE), refusal('bad_id'));
  await assert.rejects(N.sealNote(key, 'rel-1', { text: 'x'.repeat(20_001), updatedMs: 0 }), refusal('bad_note'));
});

test('whatever sealNote accepts opens again: a note that encodes too long is refused when saved, not later', async () => {
  const key = await N.createNotesKey();
  // 20,000 characters (the limit) that JSON escapes to six bytes each (~120 KB).
  const escaped = { text: '\u0001'.repeat(20_000), updatedMs: NOTE.updatedMs };
  await assert.rejects(N.sealNote(key, 'rel-1', escaped), refusal('bad_note'));
  // The longest notes that do fit, in one-byte, three-byte and escaped characters, all reopen.
  for (const text of ['x'.repeat(20_000), '\u20ac'.repeat(20_000), '\u0001'.repeat(13_000)]) {
    const note = { text, updatedMs: NOTE.updatedMs };
    assert.deepEqual(await N.openNote(key, 'rel-1', await N.sealNote(key, 'rel-1', note)), note);
  }
});

test('export and import round-trip under a passphrase; the file holds no plaintext', async () => {
  const notes = [
    { relationshipId: 'rel-1', note: NOTE },
    { relationshipId: 'rel-2', note: { text: 'Session 3: talked about going part-time. Ünïcødé ✓', updatedMs: Date.UTC(2027, 0, 5) } },
    { relationshipId: 'rel-3', note: { text: '', updatedMs: 0 } },
  ];
  const file = await E.exportNotes(notes, PASS, TEST_COST);
  assert.ok(!file.includes('CANARY') && !file.includes('rel-1') && !file.includes('part-time'));
  const f = JSON.parse(file);
  assert.equal(f.format, 'peerline-mentor-notes');
  assert.deepEqual(f.kdf.alg, 'argon2id');
  assert.ok(!hasCanary(Buffer.from(f.ct, 'base64')));
  assert.deepEqual(await E.importNotes(file, PASS), notes);
  assert.deepEqual(await E.importNotes(file, ` ${PASS} `.trim().normalize('NFD')), notes, 'the passphrase is compared after NFKC');
  const other = await E.exportNotes(notes, PASS, TEST_COST);
  assert.notEqual(JSON.parse(other).kdf.salt, f.kdf.salt, 'a fresh salt each export');
});

test('the default cost (Argon2id, 64 MiB, three passes) is what an export uses unless told', async () => {
  assert.deepEqual(E.DEFAULT_COST, { t: 3, m: 65_536, p: 1 });
  const file = await E.exportNotes([{ relationshipId: 'rel-1', note: NOTE }], PASS);
  assert.deepEqual(JSON.parse(file).kdf, { ...JSON.parse(file).kdf, alg: 'argon2id', t: 3, m: 65_536, p: 1 });
  assert.deepEqual((await E.importNotes(file, PASS))[0].note, NOTE);
});

test('a wrong passphrase is refused as such; a changed file as tampered', async () => {
  const file = await E.exportNotes([{ relationshipId: 'rel-1', note: NOTE }], PASS, TEST_COST);
  await assert.rejects(E.importNotes(file, 'plough lantern october kettles'), refusal('wrong_passphrase'));
  await assert.rejects(E.importNotes(file, 'short'), refusal('weak_passphrase'));
  const f = JSON.parse(file);
  const ct = Buffer.from(f.ct, 'base64');
  ct[5] ^= 1;
  await assert.rejects(E.importNotes(JSON.stringify({ ...f, ct: ct.toString('base64') }), PASS), refusal('tampered'));
  const iv = Buffer.from(f.iv, 'base64');
  iv[0] ^= 1;
  await assert.rejects(E.importNotes(JSON.stringify({ ...f, iv: iv.toString('base64') }), PASS), refusal('tampered'));
  // Changing the cost or the salt changes the key: the check value no longer matches.
  await assert.rejects(E.importNotes(JSON.stringify({ ...f, kdf: { ...f.kdf, t: 3 } }), PASS), refusal('wrong_passphrase'));
  const salt = Buffer.from(f.kdf.salt, 'base64');
  salt[0] ^= 1;
  await assert.rejects(E.importNotes(JSON.stringify({ ...f, kdf: { ...f.kdf, salt: salt.toString('base64') } }), PASS), refusal('wrong_passphrase'));
});

test('a file outside the limits is refused before any key derivation', async () => {
  const file = JSON.parse(await E.exportNotes([], PASS, TEST_COST));
  const bad = async (obj, code) => assert.rejects(E.importNotes(typeof obj === 'string' ? obj : JSON.stringify(obj), PASS), refusal(code));
  await bad({ ...file, kdf: { ...file.kdf, m: 4_194_304 } }, 'bad_cost'); // 4 GiB would hang or crash the tab
  await bad({ ...file, kdf: { ...file.kdf, t: 1_000_000 } }, 'bad_cost');
  await bad({ ...file, kdf: { ...file.kdf, m: 8 } }, 'bad_cost'); // too cheap to protect anything
  await bad({ ...file, kdf: { ...file.kdf, alg: 'pbkdf2' } }, 'bad_file');
  await bad({ ...file, format: 'something-else' }, 'bad_file');
  await bad({ ...file, v: 2 }, 'bad_file');
  await bad({ ...file, iv: 'not base64!' }, 'bad_file');
  await bad({ ...file, iv: Buffer.alloc(16).toString('base64') }, 'bad_file');
  await bad('not json', 'bad_file');
  await bad('x'.repeat(16 * 1024 * 1024 + 1), 'bad_file');
  await assert.rejects(E.exportNotes([], PASS, { t: 1, m: 1024, p: 1 }), refusal('bad_cost'));
  await assert.rejects(E.exportNotes(Array(5001).fill({ relationshipId: 'r', note: NOTE }), PASS, TEST_COST), refusal('bad_note'));
});

test('authentic contents that are not a note are refused with the module\'s own error, not a TypeError or SyntaxError', async () => {
  // A device key a test can use directly (the real one is non-extractable; openNote takes any AES-GCM key).
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const ad = new TextEncoder().encode(`${N.NOTE_LABEL}\nrel-1`);
  for (const plain of [Uint8Array.of(0xff, 0xfe), new TextEncoder().encode('not json'), new TextEncoder().encode('null')]) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ad }, key, plain));
    await assert.rejects(N.openNote(key, 'rel-1', { v: 1, iv, ct }), refusal('cannot_open'));
  }
  // An export file made with the right passphrase whose contents are not UTF-8, not JSON, or hold a null.
  const b64 = (b) => Buffer.from(b).toString('base64');
  for (const plain of [Uint8Array.of(0xff, 0xfe), new TextEncoder().encode('[1,'), new TextEncoder().encode('[null]')]) {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const out = argon2id(new TextEncoder().encode(PASS), salt, { ...TEST_COST, dkLen: 64 });
    const check = out.subarray(32);
    const fileKey = await crypto.subtle.importKey('raw', out.slice(0, 32), 'AES-GCM', false, ['encrypt']);
    const c = TEST_COST;
    const header = `${E.EXPORT_LABEL}\n${E.FORMAT};v=1;argon2id;t=${c.t};m=${c.m};p=${c.p};salt=${b64(salt)};check=${b64(check)};iv=${b64(iv)}`;
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(header) }, fileKey, plain));
    const file = JSON.stringify({ format: E.FORMAT, v: 1, kdf: { alg: 'argon2id', ...c, salt: b64(salt) }, check: b64(check), iv: b64(iv), ct: b64(ct) });
    await assert.rejects(E.importNotes(file, PASS), refusal('bad_file'));
  }
});
