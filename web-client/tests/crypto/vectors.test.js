// Verifies PSC-1 vector files with the JavaScript implementation: the C++
// generator's fresh output (PEERLINE_VECTORS, ':'-separated paths) and the
// checked-in copies in tests/vectors/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ready } from '../../src/crypto/sodium.js';
import { jsSpec, run } from './runner.js';

const here = dirname(fileURLToPath(import.meta.url));
const checkedIn = ['cpp-vectors.json', 'js-vectors.json'].map((f) => join(here, '../../../tests/vectors', f));
const files = [...(process.env.PEERLINE_VECTORS ?? '').split(':').filter(Boolean), ...checkedIn];

before(ready);

for (const file of files) {
  for (const deviceKeys of [false, true]) {
    const how = deviceKeys ? ' (listener keys in WebCrypto, non-extractable)' : '';
    test(`vector file verifies byte for byte${how}: ${file}`, async () => {
      const recorded = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(recorded.format, 'peerline-psc1-vectors/1');
      const actual = await run(recorded, { deviceKeys });
      // Section by section, so a failure names what disagrees.
      for (const key of Object.keys(recorded)) assert.deepStrictEqual(actual[key], recorded[key], `section ${key}`);
    });
  }
}

test('the JavaScript generator is deterministic', async () => {
  assert.deepStrictEqual(await run(jsSpec()), await run(jsSpec()));
});
