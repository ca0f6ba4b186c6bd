import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { AppError } from '@atlas-audit/shared/errors';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import type { BusConsumer, BusProducer, IncomingBatch, OutgoingMessage } from '@atlas-audit/shared/kafka';
import { createIndexer } from '../src/run.ts';
import { createIndexerMetrics } from '../src/metrics.ts';
import type { SendBulk } from '../src/bulk-coalescer.ts';
import type { IndexAction } from '../src/core/index-action.ts';
import type { BulkItemResult } from '../src/core/settle-item.ts';

const topics = { events: 'ev', alerts: 'al', dlq: 'dlq', indexDlq: true };

function fakeConsumer(): BusConsumer & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    subscribe: async () => undefined,
    run: async () => undefined,
    pause: (topic) => void calls.push(`pause ${topic}`),
    resume: (topic) => void calls.push(`resume ${topic}`),
    close: async () => undefined,
  };
}

function fakeProducer(): BusProducer & { sent: Array<{ topic: string; messages: OutgoingMessage[] }> } {
  const sent: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  return { sent, send: async (topic, messages) => void sent.push({ topic, messages: [...messages] }), close: async () => undefined };
}

function batchOf(topic: string, values: Array<string | null>): IncomingBatch {
  return {
    topic,
    partition: 0,
    messages: values.map((v, i) => ({ topic, partition: 0, offset: String(i), key: null, value: v === null ? null : Buffer.from(v), headers: {}, timestampMs: 0 })),
  };
}

const ev = (n: number): string => JSON.stringify({ '@timestamp': '2026-02-03T04:05:06.000Z', event: { id: `id${n}` } });
const control = { heartbeat: async () => undefined, isRunning: () => true };

function setup(send: SendBulk) {
  const consumer = fakeConsumer();
  const producer = fakeProducer();
  const metrics = createIndexerMetrics(new Registry());
  const indexer = createIndexer({
    consumer,
    producer,
    sendBulk: send,
    layout: indexLayout('t'),
    topics,
    limits: { maxDocs: 100, maxBytes: 1_000_000, flushMs: 5, partitionsConcurrently: 2 },
    metrics,
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    now: () => new Date('2026-02-03T10:00:00.000Z'),
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  return { consumer, producer, metrics, indexer };
}

async function counter(metrics: ReturnType<typeof createIndexerMetrics>, outcome: string): Promise<number> {
  const values = (await metrics.documents.get()).values.filter((v) => v.labels['outcome'] === outcome);
  return values.reduce((s, v) => s + v.value, 0);
}

test('a batch settles when every item is indexed or a 409 duplicate', async () => {
  const requests: IndexAction[][] = [];
  const { indexer, producer, metrics } = setup(async (actions) => {
    requests.push([...actions]);
    return actions.map((a): BulkItemResult => (a.id === 'id1' ? { status: 409, error: { type: 'version_conflict_engine_exception' } } : { status: 201 }));
  });
  await indexer.handleBatch(batchOf('ev', [ev(0), ev(1), ev(2)]), control);
  assert.equal(requests.length, 1);
  assert.deepEqual(requests[0]?.map((a) => a.index), Array(3).fill('atlas-audit-events-t-2026.02.03'));
  assert.equal(await counter(metrics, 'indexed'), 2);
  assert.equal(await counter(metrics, 'duplicate'), 1);
  assert.equal(producer.sent.length, 0);
});

test('429 and 5xx items are retried until they settle; settled ones are not resent', async () => {
  const seen: string[][] = [];
  let round = 0;
  const { indexer, metrics } = setup(async (actions) => {
    seen.push(actions.map((a) => a.id));
    round += 1;
    return actions.map((a): BulkItemResult => {
      if (round === 1 && a.id === 'id0') return { status: 429, error: { type: 'es_rejected_execution_exception' } };
      if (round <= 2 && a.id === 'id2') return { status: 503, error: { type: 'unavailable_shards_exception' } };
      return { status: 201 };
    });
  });
  await indexer.handleBatch(batchOf('ev', [ev(0), ev(1), ev(2)]), control);
  assert.deepEqual(seen, [['id0', 'id1', 'id2'], ['id0', 'id2'], ['id2']]);
  assert.equal(await counter(metrics, 'indexed'), 3);
  const retries = (await metrics.itemRetries.get()).values.reduce((s, v) => s + v.value, 0);
  assert.equal(retries, 3);
});

test('mapping errors and unparseable records go to the DLQ with their reason before the batch settles', async () => {
  const { indexer, producer, metrics } = setup(async (actions) =>
    actions.map((a): BulkItemResult => (a.id === 'id1' ? { status: 400, error: { type: 'strict_dynamic_mapping_exception', reason: 'field [x] not allowed' } } : { status: 201 })),
  );
  await indexer.handleBatch(batchOf('ev', [ev(0), ev(1), 'not json', null]), control);
  assert.equal(producer.sent.length, 1);
  assert.equal(producer.sent[0]?.topic, 'dlq');
  const records = producer.sent[0]?.messages.map((m) => JSON.parse(String(m.value)) as { reason: string; raw: string }) ?? [];
  assert.equal(records.length, 3);
  assert.match(records.map((r) => r.reason).join('|'), /strict_dynamic_mapping_exception: field \[x\] not allowed/);
  assert.match(records.map((r) => r.reason).join('|'), /invalid JSON/);
  assert.ok(records.some((r) => Buffer.from(r.raw, 'base64').toString() === 'not json'));
  assert.equal(await counter(metrics, 'dlq'), 3);
  assert.equal(await counter(metrics, 'indexed'), 1);
});

test('while Elasticsearch is unreachable every topic is paused, the batch is held, and consumption resumes once it answers', async () => {
  let failures = 3;
  const { indexer, consumer, metrics } = setup(async (actions) => {
    if (failures > 0) {
      failures -= 1;
      throw new AppError('bulk request failed', { code: 'ELASTICSEARCH_UNAVAILABLE', retryable: true });
    }
    return actions.map(() => ({ status: 201 }));
  });
  let heartbeats = 0;
  await indexer.handleBatch(batchOf('al', [JSON.stringify({ event: { id: 'alert1' } })]), { heartbeat: async () => void (heartbeats += 1), isRunning: () => true });
  assert.deepEqual(consumer.calls, ['pause ev', 'pause al', 'pause dlq', 'resume ev', 'resume al', 'resume dlq']);
  assert.equal(indexer.isPaused(), false);
  assert.equal(heartbeats, 3, 'keeps its group membership while waiting');
  assert.equal(await counter(metrics, 'indexed'), 1);
});

test('a non-retryable whole-request rejection fails the batch so its offsets are not committed', async () => {
  const { indexer } = setup(async () => {
    throw new AppError('bulk request failed', { code: 'ELASTICSEARCH_REJECTED', retryable: false });
  });
  await assert.rejects(indexer.handleBatch(batchOf('ev', [ev(0)]), control), /bulk request failed/);
});

test('records the dead-letter index refuses are counted and dropped, never re-published', async () => {
  const { indexer, producer, metrics } = setup(async (actions) => actions.map(() => ({ status: 400, error: { type: 'mapper_parsing_exception' } })));
  await indexer.handleBatch(batchOf('dlq', [JSON.stringify({ timestamp: '2026-01-01T00:00:00.000Z', id: 'x' })]), control);
  assert.equal(producer.sent.length, 0);
  assert.equal(await counter(metrics, 'dropped'), 1);
});

test('concurrent partition batches share one bulk request', async () => {
  const sizes: number[] = [];
  const { indexer } = setup(async (actions) => {
    sizes.push(actions.length);
    return actions.map(() => ({ status: 201 }));
  });
  await Promise.all([indexer.handleBatch(batchOf('ev', [ev(0), ev(1)]), control), indexer.handleBatch(batchOf('al', [JSON.stringify({ event: { id: 'a9' } })]), control)]);
  assert.deepEqual(sizes, [3]);
});

test('while paused, a health probe resumes consumption even when no held batch retries', async () => {
  let healthy = false;
  const consumer = fakeConsumer();
  const indexer = createIndexer({
    consumer,
    producer: fakeProducer(),
    sendBulk: async () => {
      throw new AppError('bulk request failed', { code: 'ELASTICSEARCH_UNAVAILABLE', retryable: true });
    },
    layout: indexLayout('t'),
    topics,
    limits: { maxDocs: 100, maxBytes: 1_000_000, flushMs: 1, partitionsConcurrently: 1 },
    metrics: createIndexerMetrics(new Registry()),
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    now: () => new Date(),
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    probe: async () => {
      if (!healthy) throw new Error('down');
    },
    probeIntervalMs: 5,
  });
  // The batch gives up (as on a rebalance): nothing is left to retry.
  await assert.rejects(indexer.handleBatch(batchOf('ev', [ev(0)]), { heartbeat: async () => Promise.reject(new Error('rebalancing')), isRunning: () => true }), /rebalancing/);
  assert.equal(indexer.isPaused(), true);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(indexer.isPaused(), true, 'still paused while the probe fails');
  healthy = true;
  for (let i = 0; i < 100 && indexer.isPaused(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(indexer.isPaused(), false);
  assert.deepEqual(consumer.calls.slice(-3), ['resume ev', 'resume al', 'resume dlq']);
});

test('hand-off returns at once while few documents are unsettled, and waits when maxPendingDocs would be exceeded', async () => {
  const gates: Array<() => void> = [];
  const consumer = fakeConsumer();
  const indexer = createIndexer({
    consumer,
    producer: fakeProducer(),
    sendBulk: async (actions) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      return actions.map(() => ({ status: 201 }));
    },
    layout: indexLayout('t'),
    topics,
    limits: { maxDocs: 100, maxBytes: 1_000_000, flushMs: 1, partitionsConcurrently: 1, maxPendingDocs: 3 },
    metrics: createIndexerMetrics(new Registry()),
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    now: () => new Date(),
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  const first = await indexer.handOff(batchOf('ev', [ev(0), ev(1)]), control);
  let secondHandedOff = false;
  const second = indexer.handOff(batchOf('ev', [ev(2), ev(3)]), control).then((s) => {
    secondHandedOff = true;
    return s;
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(secondHandedOff, false, '2 + 2 > 3 unsettled documents: the handler waits');
  for (let i = 0; i < 50 && gates.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
  gates.shift()?.();
  await first.settled;
  const handed = await second;
  assert.equal(secondHandedOff, true);
  for (let i = 0; i < 50 && gates.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
  gates.shift()?.();
  await handed.settled;
});

test('batches are handed off only to a consumer that commits on settlement', async () => {
  for (const honours of [true, false]) {
    let eachBatch: unknown;
    const consumer: BusConsumer = { ...fakeConsumer(), ...(honours ? { honoursDeferredSettlement: true } : {}), run: async (options) => void (eachBatch = options.eachBatch) };
    const indexer = createIndexer({
      consumer,
      producer: fakeProducer(),
      sendBulk: async (actions) => actions.map(() => ({ status: 201 })),
      layout: indexLayout('t'),
      topics,
      limits: { maxDocs: 100, maxBytes: 1_000_000, flushMs: 1, partitionsConcurrently: 1, maxPendingDocs: 10 },
      metrics: createIndexerMetrics(new Registry()),
      log: pino({ level: 'silent' }),
      signal: new AbortController().signal,
      now: () => new Date(),
    });
    await indexer.start(true);
    assert.equal(eachBatch, honours ? indexer.handOff : indexer.handleBatch);
  }
});
