// The relationship key (src/mentoring/relationship-key.ts, relationship-qr.ts):
// 24 BIP-39 words with a checksum, a QR code of the same words, and the
// token the server gets, derived with crypto_kdf (docs/CRYPTO.md, Part 4).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { before, test } from 'node:test';
import { load } from './bundle.mjs';

const require = createRequire(import.meta.url);
const jsQR = require('jsqr');
const sodium = require('libsodium-wrappers');

let K;
let Q;
before(async () => {
  K = await load('relationship-key');
  Q = await load('relationship-qr');
  await K.ready();
  await sodium.ready;
});

// A fixed key so a failure names the same words every run.
const FIXED = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);

function refused(fn, code) {
  try {
    fn();
  } catch (e) {
    assert.equal(e.name, 'RelationshipKeyError');
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`accepted; expected ${code}`);
}

test('a new key is 32 random bytes, and two keys differ', () => {
  const a = K.generateRelationshipKey();
  const b = K.generateRelationshipKey();
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
});

test('a key round-trips through its 24 words, and the words are the BIP-39 vector', () => {
  for (let i = 0; i < 50; i++) {
    const k = K.generateRelationshipKey();
    const words = K.toPassphrase(k);
    assert.equal(words.split(' ').length, 24);
    assert.deepEqual(K.fromPassphrase(words), k);
  }
  // BIP-39's published English vector for 32 bytes of 0x7f.
  const v = new Uint8Array(32).fill(0x7f);
  assert.equal(K.toPassphrase(v),
    'legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title');
  assert.throws(() => K.toPassphrase(new Uint8Array(16)), { code: 'bad_key' });
});

test('spaces, line breaks, capitals, accents and numbering written on paper do not matter', () => {
  const words = K.toPassphrase(FIXED).split(' ');
  const written = words.map((w, i) => `${i + 1}. ${i % 3 === 0 ? w.toUpperCase() : w}`).join('\n');
  assert.deepEqual(K.fromPassphrase(written), FIXED);
  const messy = `  ${words.slice(0, 12).map((w, i) => `${i + 1}) ${w.toUpperCase()}`).join('\n')}\r\n\t${words.slice(12).join(',   ')}  `;
  assert.deepEqual(K.fromPassphrase(messy), FIXED);
  assert.deepEqual(K.fromPassphrase(words.join('-')), FIXED);
  const accented = [...words];
  accented[0] = accented[0].replace('e', 'é').replace('a', 'á');
  assert.deepEqual(K.fromPassphrase(accented.join(' ')), FIXED);
  assert.deepEqual(K.normalisePassphrase(' Legal\u00a0WINNER\n\n3. thank '), ['legal', 'winner', 'thank']);
});

test('a mistyped word is refused and named, with the words it may have been', () => {
  const words = K.toPassphrase(FIXED).split(' ');
  const typo = [...words];
  typo[6] = `${words[6].slice(0, 4)}x${words[6].slice(5)}q`;
  const e = refused(() => K.fromPassphrase(typo.join(' ')), 'unknown_word');
  assert.equal(e.position, 7);
  assert.equal(e.word, typo[6]);
  assert.ok(e.suggestions.includes(words[6]), `suggests ${words[6]}: ${e.suggestions}`);
  assert.match(e.message, /Word 7/);
});

test('a word swapped for another list word, or two words in the wrong order, fails the checksum', () => {
  const words = K.toPassphrase(FIXED).split(' ');
  let caught = 0;
  // Each of the 2048 words in place of word 5: the 8-bit checksum lets about
  // 1 in 256 through; nearly all must be refused, the real one accepted.
  const { wordlist } = require('@scure/bip39/wordlists/english.js');
  for (const w of wordlist) {
    const t = [...words];
    t[4] = w;
    try {
      const k = K.fromPassphrase(t.join(' '));
      if (w === words[4]) assert.deepEqual(k, FIXED);
      else assert.notDeepEqual(k, FIXED);
    } catch (e) {
      assert.equal(e.code, 'checksum');
      caught++;
    }
  }
  assert.ok(caught > 2000 && caught < 2047, `checksum refused ${caught} of 2047 wrong words`);
  const swapped = [...words];
  [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
  if (swapped[0] !== words[0]) refused(() => K.fromPassphrase(swapped.join(' ')), 'checksum');
});

test('the wrong number of words and over-long input are refused with their own codes', () => {
  const words = K.toPassphrase(FIXED).split(' ');
  assert.equal(refused(() => K.fromPassphrase(words.slice(0, 23).join(' ')), 'wrong_word_count').count, 23);
  assert.equal(refused(() => K.fromPassphrase(`${words.join(' ')} ${words[0]}`), 'wrong_word_count').count, 25);
  refused(() => K.fromPassphrase(''), 'wrong_word_count');
  // A 12-word BIP-39 phrase (128 bits) is a valid mnemonic but not a relationship key.
  refused(() => K.fromPassphrase('legal winner thank year wave sausage worth useful legal winner thank yellow'), 'wrong_word_count');
  refused(() => K.fromPassphrase('a '.repeat(600)), 'too_long');
});

test('the server-facing token is a 43-character token that neither equals nor reveals the key', () => {
  const t = K.relationshipToken(FIXED);
  assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(t, K.relationshipToken(FIXED), 'the same key always gives the same token');
  const tokenBytes = sodium.from_base64(t, sodium.base64_variants.URLSAFE_NO_PADDING);
  assert.notDeepEqual(tokenBytes, FIXED);
  // Derived as documented: crypto_kdf subkey 1, context PLM1_rel; the note secret is subkey 2.
  assert.deepEqual(tokenBytes, sodium.crypto_kdf_derive_from_key(32, 1, 'PLM1_rel', FIXED));
  const note = K.noteSecret(FIXED);
  assert.deepEqual(note, sodium.crypto_kdf_derive_from_key(32, 2, 'PLM1_rel', FIXED));
  assert.notDeepEqual(note, tokenBytes);
  // Nothing of the key shows in the token: no 4-byte run of the key, in any encoding.
  const keyHex = sodium.to_hex(FIXED);
  const tokHex = sodium.to_hex(tokenBytes);
  for (let i = 0; i + 8 <= keyHex.length; i += 2) assert.ok(!tokHex.includes(keyHex.slice(i, i + 8)));
  assert.ok(!t.includes(sodium.to_base64(FIXED, sodium.base64_variants.URLSAFE_NO_PADDING).slice(0, 8)));
  for (const w of K.toPassphrase(FIXED).split(' ')) assert.ok(!t.toLowerCase().includes(w));
  // The token is not an unkeyed hash of the key either (someone holding the
  // token cannot test it against a key they guess without the KDF; and a key
  // one bit away gives an unrelated token).
  assert.notDeepEqual(tokenBytes, sodium.crypto_generichash(32, FIXED));
  const near = Uint8Array.from(FIXED);
  near[31] ^= 1;
  const other = sodium.from_base64(K.relationshipToken(near), sodium.base64_variants.URLSAFE_NO_PADDING);
  let same = 0;
  for (let i = 0; i < 32; i++) same += tokenBytes[i] === other[i] ? 1 : 0;
  assert.ok(same < 6, `one bit of key changes the token throughout (${same} equal bytes)`);
});

// Reads the qrcode package's SVG (rows of "M x y.5 hN m dx dy" strokes) into
// pixels, as a screen would show it, for jsQR to decode.
function rasterise(svg, scale = 4) {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)[1]);
  const d = /<path stroke="#000000" d="([^"]+)"/.exec(svg)[1];
  const dark = new Uint8Array(size * size);
  let x = 0;
  let y = 0;
  for (const [, cmd, a, b] of d.matchAll(/([MmhHvV])([\d.]+)(?:\s([\d.]+))?/g)) {
    if (cmd === 'M') { x = Number(a); y = Number(b); }
    else if (cmd === 'm') { x += Number(a); y += Number(b); }
    else if (cmd === 'h') { for (let i = 0; i < Number(a); i++) dark[Math.floor(y) * size + x + i] = 1; x += Number(a); }
    else throw new Error(`unexpected path command ${cmd}`);
  }
  const w = size * scale;
  const rgba = new Uint8ClampedArray(w * w * 4);
  for (let py = 0; py < w; py++) {
    for (let px = 0; px < w; px++) {
      const v = dark[Math.floor(py / scale) * size + Math.floor(px / scale)] ? 0 : 255;
      rgba.set([v, v, v, 255], (py * w + px) * 4);
    }
  }
  return { rgba, w };
}

test('the QR code is a plain SVG that decodes to the words and restores the key', async () => {
  for (const k of [FIXED, K.generateRelationshipKey()]) {
    const svg = await Q.relationshipQrSvg(k);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    assert.doesNotMatch(svg, /<script|href|<text|on\w+=/i, 'nothing active or readable in the image');
    const { rgba, w } = rasterise(svg);
    const read = jsQR(rgba, w, w);
    assert.ok(read, 'jsQR finds the code');
    assert.equal(read.data, K.toQrText(k));
    assert.deepEqual(K.fromQrText(read.data), k);
  }
});

test('a QR text that was altered is refused like a typed passphrase', () => {
  const words = K.toQrText(FIXED).split(' ');
  words[23] = 'ZZZZ';
  assert.equal(refused(() => K.fromQrText(words.join(' ')), 'unknown_word').position, 24);
});
