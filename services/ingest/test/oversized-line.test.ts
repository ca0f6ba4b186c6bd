import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dlqRecordSchema } from '@atlas-audit/shared/schema/dlq';
import { MAX_DLQ_RAW_BYTES } from '@atlas-audit/shared/core/dlq-raw';
import { auditWindowBatch, MAX_AUDIT_LINE_BYTES } from '../src/core/audit-window.ts';
import type { AuditStream } from '../src/core/streams.ts';

const stream: AuditStream = { kind: 'audit', key: 'audit|p|h|mongodb-audit-log', project: '65f0c0ffee0ddba11ab1e5e1', host: 'h.example.net', logName: 'mongodb-audit-log' };
const window = { startMs: Date.parse('2025-03-03T10:00:00Z'), endMs: Date.parse('2025-03-03T10:15:00Z') };
const line = (user: string, pad = ''): Buffer =>
  Buffer.from(`{ "atype" : "authenticate", "ts" : { "$date" : "2025-03-03T10:05:00.000+00:00" }, "local" : { "ip" : "192.168.0.1", "port" : 27017 }, "remote" : { "ip" : "203.0.113.5", "port" : 40001 }, "users" : [ { "user" : "${user}", "db" : "admin" } ], "roles" : [], "param" : { "user" : "${user}${pad}", "db" : "admin", "mechanism" : "SCRAM-SHA-256" }, "result" : 0 }`);

test('an audit line longer than MAX_AUDIT_LINE_BYTES is dead-lettered with its first 64 KiB, not produced as an event near Kafka\'s limit', () => {
  const big = line('alice', 'x'.repeat(MAX_AUDIT_LINE_BYTES));
  const batch = auditWindowBatch(stream, window, [{ line: 1, bytes: line('bob') }, { line: 2, bytes: big }, { line: 3, bytes: line('carol') }], new Set(), 0);
  assert.equal(batch.events.length, 2, 'the lines around it are events');
  assert.equal(batch.dlq.length, 1);
  const record = dlqRecordSchema.parse({ ...batch.dlq[0], timestamp: '2025-03-03T10:20:00.000Z' });
  assert.equal(record.origin.line, 2);
  assert.match(record.reason, new RegExp(`^line of ${big.length} bytes is longer than ${MAX_AUDIT_LINE_BYTES}; raw cut to the first ${MAX_DLQ_RAW_BYTES} of ${big.length} bytes$`));
  assert.equal(Buffer.from(record.raw, 'base64').length, MAX_DLQ_RAW_BYTES);
  assert.ok(Buffer.byteLength(JSON.stringify(record)) < 100_000, 'the dead letter fits a Kafka message');
});

test('a line just under the limit is still an event', () => {
  const pad = 'y'.repeat(MAX_AUDIT_LINE_BYTES - line('dave').length);
  const bytes = line('dave', pad);
  assert.equal(bytes.length, MAX_AUDIT_LINE_BYTES);
  const batch = auditWindowBatch(stream, window, [{ line: 1, bytes }], new Set(), 0);
  assert.equal(batch.dlq.length, 0);
  assert.equal(batch.events.length, 1);
});
