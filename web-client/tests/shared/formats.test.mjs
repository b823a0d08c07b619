// The web client's one date/time formatter (src/shared/datetime.ts: en-GB,
// 24-hour, Europe/London, the year only when it is not this year) and the
// contact links of the support services (src/shared/contact.ts: tel:/sms:
// only, from checked digits). Bundled by esbuild into test-output/ first.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const webClient = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let F;

before(async () => {
  const out = join(webClient, 'test-output', 'formats-bundle.mjs');
  mkdirSync(dirname(out), { recursive: true });
  await build({
    stdin: { contents: "export * from './src/shared/datetime.ts'; export * from './src/shared/contact.ts';", resolveDir: webClient, loader: 'ts' },
    bundle: true, format: 'esm', platform: 'neutral', outfile: out, logLevel: 'error',
  });
  F = await import(pathToFileURL(out).href);
});

// The clock is driven: "now" is passed in, never read from the machine.
const NOW = Date.UTC(2026, 11, 2, 12, 0); // Wednesday 2 December 2026, 12:00 in London

test('dates are en-GB in Europe/London, 24-hour, with the year only when it is not this year', () => {
  assert.equal(F.formatDateTime(Date.UTC(2026, 11, 11, 16, 30), NOW), 'Friday 11 December, 16:30');
  assert.equal(F.formatDateTime(Date.UTC(2027, 0, 1, 9, 5), NOW), 'Friday 1 January 2027, 09:05');
  // British Summer Time: 23:30 UTC on 30 June is 00:30 on 1 July in London.
  assert.equal(F.formatDateTime(Date.UTC(2026, 5, 30, 23, 30), NOW), 'Wednesday 1 July, 00:30');
  assert.equal(F.formatClock(Date.UTC(2026, 11, 2, 0, 5)), '00:05');
  assert.equal(F.formatWhen(Date.UTC(2026, 11, 2, 15, 45), NOW), '15:45');
  assert.equal(F.formatWhen(Date.UTC(2026, 11, 3, 15, 45), NOW), 'Thursday 3 December, 15:45');
  assert.equal(F.timeZone(), 'Europe/London');
  F.setTimeZone('Not/AZone');
  assert.equal(F.timeZone(), 'Europe/London', 'an unknown zone is ignored');
});

test('phone numbers become tel: links, "Text X to N" an sms: link, anything else stays text', () => {
  assert.equal(F.contactHref('116 123'), 'tel:116123');
  assert.equal(F.contactHref('111'), 'tel:111');
  assert.equal(F.contactHref('+44 (0)20 7946 0000'), 'tel:+4402079460000');
  assert.equal(F.contactHref('Text SHOUT to 85258'), 'sms:85258?body=SHOUT');
  assert.equal(F.contactHref('text shout to 85258'), 'sms:85258?body=shout');
  assert.equal(F.contactHref('https://www.example.org'), null);
  assert.equal(F.contactHref('javascript:alert(1)'), null);
  assert.equal(F.contactHref('12'), null, 'too short for a number');
  assert.equal(F.contactHref('1234567890123456'), null, 'longer than E.164 allows');
  assert.equal(F.contactHref('Call 116 123'), null);
  assert.equal(F.contactHref(`${'1'.repeat(250)}`), null);
});
