// Writes the JavaScript implementation's PSC-1 vectors for the C++
// implementation to verify: node generate-vectors.js OUT.json
import { writeFileSync } from 'node:fs';
import { ready } from '../../src/crypto/sodium.js';
import { jsSpec, run } from './runner.js';

if (process.argv.length !== 3) {
  console.error('usage: node generate-vectors.js OUT.json');
  process.exit(2);
}
await ready();
writeFileSync(process.argv[2], `${JSON.stringify(await run(jsSpec()), null, 1)}\n`);
