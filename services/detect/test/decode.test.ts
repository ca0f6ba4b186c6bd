import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dlqRecordSchema } from '@atlas-audit/shared/schema/dlq';
import { MAX_DLQ_RAW_BYTES } from '@atlas-audit/shared/core/dlq-raw';
import { deadLetterOf, decodeEvent } from '../src/core/decode.ts';

const where = { topic: 'atlas.events.v1', partition: 2, offset: '41' };
const at = '2026-03-04T05:06:07.008Z';

test('a record with invalid UTF-8 is refused, not decoded with replacement characters', () => {
  const bytes = Buffer.concat([Buffer.from('{"user":{"name":"o'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
  const decoded = decodeEvent(bytes);
  assert.deepEqual(decoded, { ok: false, reason: 'invalid UTF-8' });
});

test('empty, truncated and schema-invalid records each fail with their reason', () => {
  assert.deepEqual(decodeEvent(null), { ok: false, reason: 'empty record' });
  const truncated = decodeEvent(Buffer.from('{"event":{"id":'));
  assert.ok(!truncated.ok && truncated.reason.startsWith('invalid JSON'));
  // V8 quotes the input around an unexpected token; the reason must not (it is logged and dead-lettered).
  assert.deepEqual(decodeEvent(Buffer.from('{"token": hunter2secret}')), { ok: false, reason: 'invalid JSON: Unexpected token (input withheld)' });
  const wrong = decodeEvent(Buffer.from(JSON.stringify({ '@timestamp': 'yesterday' })));
  assert.ok(!wrong.ok && wrong.reason.startsWith('not a valid event'));
});

test('a dead letter of a record near the Kafka message limit keeps its first 64 KiB and says so; the id still covers every byte', () => {
  const big = Buffer.alloc(950_000, 0x41);
  const other = Buffer.from(big);
  other[big.length - 1] = 0x42;
  const record = dlqRecordSchema.parse(deadLetterOf(big, 'invalid JSON: x', where, at));
  assert.equal(Buffer.from(record.raw, 'base64').length, MAX_DLQ_RAW_BYTES);
  assert.match(record.reason, /raw cut to the first 65536 of 950000 bytes/);
  assert.ok(Buffer.byteLength(JSON.stringify(record)) < 100_000, 'fits a Kafka message with room to spare');
  assert.notEqual(deadLetterOf(other, 'invalid JSON: x', where, at).id, record.id, 'bytes past the cut still change the id');
  const small = dlqRecordSchema.parse(deadLetterOf(Buffer.from('{"a":'), 'invalid JSON: x', where, at));
  assert.equal(Buffer.from(small.raw, 'base64').toString(), '{"a":');
  assert.doesNotMatch(small.reason, /raw cut/);
});
