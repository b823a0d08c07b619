// src/shared/protocol.ts: the decoder of server frames accepts every example
// server frame of docs/PROTOCOL.md §5 (each type at least once) and refuses
// what the pages must never act on. Bundled by esbuild into test-output/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const webClient = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX = 65540;
let P;

before(async () => {
  const out = join(webClient, 'test-output', 'protocol-bundle.mjs');
  mkdirSync(dirname(out), { recursive: true });
  await build({
    entryPoints: [join(webClient, 'src/shared/protocol.ts')],
    bundle: true, format: 'esm', platform: 'neutral', outfile: out, logLevel: 'error',
  });
  P = await import(pathToFileURL(out).href);
});

/** The JSON lines of the example block in PROTOCOL.md §5. */
function documentedServerFrames() {
  const doc = readFileSync(join(webClient, '../docs/PROTOCOL.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## 5. Server → client messages'), doc.indexOf('## 6.'));
  const block = /```json\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'PROTOCOL.md §5 has its example block');
  return block[1].split('\n').filter((l) => l.trim());
}

test('every documented server frame decodes, and every frame type is documented', () => {
  const seen = new Set();
  for (const line of documentedServerFrames()) {
    const f = P.decodeServerFrame(line, MAX);
    assert.ok(f, `refused: ${line}`);
    assert.deepEqual(f, JSON.parse(line));
    seen.add(f.type);
  }
  const types = ['welcome', 'queued', 'left_queue', 'availability', 'offer', 'offer_withdrawn', 'conversation_started',
    'conversation_ended', 'error', 'shutdown', 'pong', 'signposting', 'escalation_sent', 'escalation', 'partner_status', 'live_stats'];
  assert.deepEqual([...seen].sort(), [...types].sort());
});

test('frames a page must not act on are refused', () => {
  const refused = [
    'not json',
    '[1]',
    '{"type":"pong"}', // no version
    '{"v":2,"type":"pong"}',
    '{"v":1,"type":"no_such_type"}',
    '{"v":1,"type":"queued"}', // position missing
    '{"v":1,"type":"queued","position":"2"}',
    '{"v":1,"type":"queued","position":1.5}',
    '{"v":1,"type":"offer","offer_id":"a","urgent":false,"expires_in_ms":1000,"topic":7}',
    '{"v":1,"type":"conversation_started","channel":0,"conversation_id":"c","peer":"gp"}',
    '{"v":1,"type":"conversation_started","channel":65536,"conversation_id":"c","peer":"gp"}',
    '{"v":1,"type":"conversation_ended","channel":1,"reason":"bored","by":"gp"}',
    '{"v":1,"type":"error","code":42,"message":"x"}',
    '{"v":1,"type":"error","message":"x"}',
    '{"v":1,"type":"signposting","reason":"closed","alternatives":[{"name":"a","contact":"b"}]}',
    `{"v":1,"type":"signposting","reason":"closed","alternatives":[${Array(17).fill('{"name":"a","contact":"b","hours":"c"}').join(',')}]}`,
    '{"v":1,"type":"live_stats","live":{"waiting":1,"longest_wait_s":0,"offers_pending":0,"conversations_active":0}}',
    '{"v":1,"type":"welcome","role":"root","limits":{"max_control_frame_bytes":1,"max_relay_frame_bytes":1}}',
  ];
  for (const text of refused) assert.equal(P.decodeServerFrame(text, MAX), null, text);
  assert.equal(P.decodeServerFrame(`{"v":1,"type":"pong","pad":"${'x'.repeat(100)}"}`, 64), null, 'longer than the limit');
});

test('a topic or an error code a newer server added is taken as a string, not dropped', () => {
  const offer = '{"v":1,"type":"offer","offer_id":"a","urgent":false,"expires_in_ms":1000,"topic":"retirement"}';
  assert.deepEqual(P.decodeServerFrame(offer, MAX), JSON.parse(offer), 'the offer still reaches the listener');
  assert.equal(P.topicLabel(P.decodeServerFrame(offer, MAX).topic), 'retirement');
  const error = '{"v":1,"type":"error","code":"queue_paused","message":"Try again later.","in_reply_to":"hello"}';
  assert.deepEqual(P.decodeServerFrame(error, MAX), JSON.parse(error), 'the page still hears of the failure');
});

test('the length limit is in UTF-8 bytes, as the server counts them', () => {
  const frame = (pad) => `{"v":1,"type":"pong","pad":"${pad}"}`;
  const ascii = frame('x'.repeat(50));
  const limit = new TextEncoder().encode(ascii).length;
  assert.ok(P.decodeServerFrame(ascii, limit), 'exactly at the limit');
  assert.equal(P.decodeServerFrame(frame('x'.repeat(51)), limit), null);
  // 50 characters of three bytes each: 50 UTF-16 units but 150 bytes.
  const wide = frame('\u20ac'.repeat(50));
  assert.equal(wide.length, ascii.length);
  assert.equal(P.decodeServerFrame(wide, limit), null, 'more bytes than the limit, though no more characters');
  assert.ok(P.decodeServerFrame(wide, new TextEncoder().encode(wide).length));
});

test('one wording for the topics, for every topic the server knows', () => {
  assert.deepEqual(Object.keys(P.TOPIC_LABELS), ['workload', 'clinical_case', 'complaint', 'career', 'personal', 'other']);
  assert.equal(P.topicLabel('workload'), 'Workload or burnout');
  assert.equal(P.topicLabel('unknown'), 'unknown');
});
