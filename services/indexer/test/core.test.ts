import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import { dlqRecordSchema } from '@atlas-audit/shared/schema/dlq';
import { planIndexAction } from '../src/core/index-action.ts';
import { chunkActions, renderBulkBody, bulkBytesOf } from '../src/core/bulk-body.ts';
import { settleItem } from '../src/core/settle-item.ts';
import { deadLetterFor } from '../src/core/dead-letter.ts';

const layout = indexLayout('t1');
const id = 'a'.repeat(64);
const event = (timestamp: string, extra: Record<string, unknown> = {}): Buffer => Buffer.from(JSON.stringify({ '@timestamp': timestamp, event: { id }, ...extra }));

test('an event goes to the daily index of its own @timestamp with _id = event.id', () => {
  const r = planIndexAction('event', event('2026-03-04T23:59:59.999Z'), layout);
  assert.ok(r.ok);
  assert.equal(r.value.index, 'atlas-audit-events-t1-2026.03.04');
  assert.equal(r.value.id, id);
  assert.equal(r.value.source, JSON.stringify({ '@timestamp': '2026-03-04T23:59:59.999Z', event: { id } }));
});

test('the same bytes always give the same index and id (a replay becomes a 409)', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (d) => {
      const a = planIndexAction('event', event(d.toISOString()), layout);
      const b = planIndexAction('event', event(d.toISOString()), layout);
      assert.deepEqual(a, b);
      assert.ok(a.ok && a.value.index.endsWith(d.toISOString().slice(0, 10).replaceAll('-', '.')));
    }),
  );
});

test('records as the normalisers serialise them get the action a full parse gives, without one', async () => {
  const { generateSampleData } = await import('@atlas-audit/dashboards/sample-data');
  const data = generateSampleData({ endMs: Date.UTC(2026, 2, 4, 12), hours: 3, seed: 7, auditPerHour: 40 });
  const parsedAction = (kind: 'event' | 'alert', text: string): { index: string; id: string } => {
    const doc = JSON.parse(text) as { '@timestamp': string; event: { id: string } };
    return { index: kind === 'alert' ? layout.alertsIndex : `atlas-audit-events-t1-${doc['@timestamp'].slice(0, 10).replaceAll('-', '.')}`, id: doc.event.id };
  };
  const records = [...data.events.map((e) => ['event', JSON.stringify(e)] as const), ...data.alerts.map((a) => ['alert', JSON.stringify(a)] as const)];
  assert.ok(records.length > 500);
  for (const [kind, text] of records) {
    const r = planIndexAction(kind, Buffer.from(text), layout);
    assert.ok(r.ok, text);
    assert.deepEqual({ index: r.value.index, id: r.value.id }, parsedAction(kind, text));
    assert.equal(r.value.source, text);
    assert.equal(r.value.bytes, Buffer.byteLength(text));
  }
});

test('a record that opens like a serialised event but breaks off is left to Elasticsearch to refuse; an escaped head is parsed', () => {
  const head = `{"schema_version":"1","@timestamp":"2026-03-04T10:00:00.000Z","event":{"id":"${id}"`;
  const cut = planIndexAction('event', Buffer.from(`${head},"kind":`), layout);
  // Not parsed here: its bulk item comes back 400 document_parsing_exception and is dead-lettered
  // with that reason (test/integration/indexer.test.ts).
  assert.ok(cut.ok);
  assert.equal(cut.value.id, id);
  // An escape in the head: what JSON.parse reads differs from the raw text, so the record is parsed.
  const escaped = planIndexAction('event', Buffer.from(`{"schema_version":"1","@timestamp":"2026-03-04T10:00:00.000Z","event":{"id":"\\u0061${'a'.repeat(63)}"}}`), layout);
  assert.ok(escaped.ok);
  assert.equal(escaped.value.id, 'a'.repeat(64));
});

test('alerts go to the one logs-* alerts index', () => {
  const r = planIndexAction('alert', event('2026-03-04T10:00:00.000Z', { event: { id, kind: 'alert' } }), layout);
  assert.ok(r.ok);
  assert.equal(r.value.index, 'logs-atlas_audit.alerts-t1');
});

test('unusable records are failures with a reason, never exceptions', () => {
  const cases: Array<[Buffer | null, RegExp]> = [
    [null, /empty/],
    [Buffer.from('{"a":'), /invalid JSON/],
    [Buffer.from('{"token": hunter2secret}'), /^invalid JSON: Unexpected token \(input withheld\)$/],
    [Buffer.from('[1,2]'), /not a JSON object/],
    [Buffer.from('{"@timestamp":"2026-01-01T00:00:00.000Z"}'), /event.id/],
    [Buffer.from(JSON.stringify({ '@timestamp': 'yesterday', event: { id } })), /@timestamp/],
    [Buffer.from(JSON.stringify({ event: { id: 'has space' } })), /event.id/],
  ];
  for (const [bytes, reason] of cases) {
    const r = planIndexAction('event', bytes, layout);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, reason);
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void planIndexAction('event', Buffer.from(bytes), layout)));
});

test('a pretty-printed record is re-serialised onto one line', () => {
  const r = planIndexAction('event', Buffer.from(JSON.stringify({ '@timestamp': '2026-01-01T00:00:00.000Z', event: { id } }, null, 2)), layout);
  assert.ok(r.ok);
  assert.ok(!r.value.source.includes('\n'));
});

test('dead-letter records without an id get a hash of their bytes', () => {
  const bytes = Buffer.from(JSON.stringify({ timestamp: '2026-01-01T00:00:00.000Z', reason: 'x' }));
  const a = planIndexAction('dlq', bytes, layout);
  const b = planIndexAction('dlq', bytes, layout);
  assert.ok(a.ok && b.ok);
  assert.equal(a.value.id, b.value.id);
  assert.match(a.value.id, /^[0-9a-f]{64}$/);
  assert.equal(a.value.index, 'atlas-audit-dlq-t1-2026.01.01');
});

test('the bulk body is NDJSON create operations', () => {
  const r = planIndexAction('event', event('2026-01-01T00:00:00.000Z'), layout);
  assert.ok(r.ok);
  const lines = renderBulkBody([r.value, r.value]).split('\n');
  assert.equal(lines.length, 5);
  assert.deepEqual(JSON.parse(lines[0] ?? ''), { create: { _index: 'atlas-audit-events-t1-2026.01.01', _id: id } });
  assert.equal(lines[4], '');
});

test('chunks keep order and respect the document and byte limits', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 100, max: 3000 }), (sizes, maxDocs, maxBytes) => {
      const actions = sizes.map((n, i) => ({ index: 'i', id: String(i), source: 'x'.repeat(n), bytes: n }));
      const chunks = chunkActions(actions, maxDocs, maxBytes);
      assert.deepEqual(chunks.flat(), actions);
      for (const chunk of chunks) {
        assert.ok(chunk.length >= 1 && chunk.length <= maxDocs);
        const bytes = chunk.reduce((s, a) => s + bulkBytesOf(a), 0);
        assert.ok(chunk.length === 1 || bytes <= maxBytes);
      }
    }),
  );
});

test('bulk items: 2xx indexed, 409 duplicate, 429/5xx retried, mapping errors rejected with the reason', () => {
  assert.deepEqual(settleItem({ status: 201 }), { kind: 'indexed' });
  assert.deepEqual(settleItem({ status: 409, error: { type: 'version_conflict_engine_exception' } }), { kind: 'duplicate' });
  assert.equal(settleItem({ status: 429, error: { type: 'es_rejected_execution_exception' } }).kind, 'retry');
  assert.equal(settleItem({ status: 503, error: { type: 'unavailable_shards_exception' } }).kind, 'retry');
  assert.equal(settleItem({ status: 404, error: { type: 'index_not_found_exception' } }).kind, 'retry');
  const rejected = settleItem({ status: 400, error: { type: 'strict_dynamic_mapping_exception', reason: 'dynamic introduction of [x]' } });
  assert.deepEqual(rejected, { kind: 'reject', reason: '400 strict_dynamic_mapping_exception: dynamic introduction of [x]' });
});

test('a dead-letter record is valid against the DLQ schema and deterministic', () => {
  const a = deadLetterFor('atlas.events.v1', Buffer.from('\u00ffnot json'), 'invalid JSON', '2026-01-01T00:00:00.000Z');
  const b = deadLetterFor('atlas.events.v1', Buffer.from('\u00ffnot json'), 'invalid JSON', '2026-01-02T00:00:00.000Z');
  assert.equal(dlqRecordSchema.safeParse(a).success, true);
  assert.equal(a.id, b.id);
  assert.equal(Buffer.from(a.raw, 'base64').toString(), '\u00ffnot json');
  assert.equal(a.origin.source, 'atlas.pipeline');
  assert.equal(a.origin.endpoint, 'atlas.events.v1');
});

test('a record with invalid UTF-8 is refused, not indexed with replacement characters', () => {
  const bytes = Buffer.concat([Buffer.from(`{"@timestamp":"2026-03-04T05:06:07.008Z","event":{"id":"${id}"},"user":{"name":"o`), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
  assert.deepEqual(planIndexAction('event', bytes, layout), { ok: false, reason: 'invalid UTF-8' });
});

test('the dead letter of a record near the Kafka message limit keeps its first 64 KiB and says so; the id covers every byte', () => {
  const big = Buffer.alloc(950_000, 0x7b);
  const other = Buffer.from(big);
  other[big.length - 1] = 0x7d;
  const record = dlqRecordSchema.parse(deadLetterFor('t', big, 'invalid JSON: x', '2026-03-04T05:06:07.008Z'));
  assert.equal(Buffer.from(record.raw, 'base64').length, 65_536);
  assert.match(record.reason, /^indexer: invalid JSON: x; raw cut to the first 65536 of 950000 bytes$/);
  assert.ok(Buffer.byteLength(JSON.stringify(record)) < 100_000);
  assert.notEqual(deadLetterFor('t', other, 'invalid JSON: x', '2026-03-04T05:06:07.008Z').id, record.id);
});
