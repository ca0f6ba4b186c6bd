import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { BusConsumer, BusProducer, IncomingBatch, OutgoingMessage } from '@atlas-audit/shared/kafka';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { AppError } from '@atlas-audit/shared/errors';
import { createDetectService } from '../src/run.ts';
import { createMemoryBackend } from '../src/state-backend.ts';
import { configOf, harness } from './fixtures.ts';
import { mixedStream } from './stream.ts';

const log = pino({ level: 'silent' });
const control = { heartbeat: async () => {}, isRunning: () => true };
const topics = { events: 'events', alerts: 'alerts', dlq: 'dlq' };
const consumer: BusConsumer = { subscribe: async () => {}, run: async () => {}, pause: () => {}, resume: () => {}, close: async () => {} };

function recordingProducer(failTimes = 0): BusProducer & { sent: Map<string, OutgoingMessage[]> } {
  let failures = failTimes;
  const sent = new Map<string, OutgoingMessage[]>();
  return {
    sent,
    async send(topic, messages) {
      if (failures > 0) {
        failures -= 1;
        throw new AppError('broker down', { code: 'KAFKA_PRODUCE_FAILED', retryable: false });
      }
      sent.set(topic, [...(sent.get(topic) ?? []), ...messages]);
    },
    close: async () => {},
  };
}

function batches(events: readonly AtlasEvent[], size: number, partition = 0): IncomingBatch[] {
  const out: IncomingBatch[] = [];
  for (let i = 0; i < events.length; i += size) {
    out.push({ topic: 'events', partition, messages: events.slice(i, i + size).map((e, j) => ({ topic: 'events', partition, offset: String(i + j), key: null, value: Buffer.from(JSON.stringify(e)), headers: {}, timestampMs: 0 })) });
  }
  return out;
}

const stream = mixedStream(7, 6).slice(0, 1500);
const expected = harness().run(stream).map((a) => a.event.id);
const deps = (producer: BusProducer, backend = createMemoryBackend()) => ({ consumer, producer, backend, rules: configOf(), topics, log, now: () => new Date('2026-01-01T00:00:00Z'), retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });

test('run loop: produces every alert keyed by its id and persists state per batch', async () => {
  const producer = recordingProducer();
  const backend = createMemoryBackend();
  const service = createDetectService(deps(producer, backend));
  for (const b of batches(stream, 100)) await service.handleBatch(b, control);
  const sent = producer.sent.get('alerts') ?? [];
  assert.deepEqual(sent.map((m) => m.key), expected);
  assert.ok(expected.length > 10);
  assert.ok(backend.size() > 0);
});

test('run loop: redelivery after a produce failure re-raises the batch alerts from persisted state', async () => {
  let failNext = false;
  const sent: OutgoingMessage[] = [];
  const producer: BusProducer = {
    async send(topic, messages) {
      if (failNext && topic === 'alerts' && messages.length > 0) {
        failNext = false;
        throw new AppError('broker down', { code: 'KAFKA_PRODUCE_FAILED', retryable: false });
      }
      if (topic === 'alerts') sent.push(...messages);
    },
    close: async () => {},
  };
  const service = createDetectService(deps(producer));
  let failures = 0;
  for (const b of batches(stream, 50)) {
    failNext = true;
    try {
      await service.handleBatch(b, control);
    } catch {
      failures += 1;
      await service.handleBatch(b, control);
    }
  }
  assert.ok(failures > 3);
  assert.deepEqual(sent.map((m) => m.key), expected);
});

test('run loop: a replica taking over a partition continues from the persisted state without repeating alerts', async () => {
  const backend = createMemoryBackend();
  const first = recordingProducer();
  const second = recordingProducer();
  const all = batches(stream, 100);
  const a = createDetectService(deps(first, backend));
  for (const b of all.slice(0, 7)) await a.handleBatch(b, control);
  const b2 = createDetectService(deps(second, backend));
  for (const b of all.slice(7)) await b2.handleBatch(b, control);
  const ids = [...(first.sent.get('alerts') ?? []), ...(second.sent.get('alerts') ?? [])].map((m) => m.key);
  assert.deepEqual(ids, expected);
});

test('run loop: a stale replica cannot roll back state its successor persisted (offset fence)', async () => {
  const backend = createMemoryBackend();
  await backend.save(0, [{ namespace: 'n', key: 'k', value: 2 }], 200);
  await backend.save(0, [{ namespace: 'n', key: 'k', value: 1 }], 100);
  assert.deepEqual(await backend.load(0), [{ namespace: 'n', key: 'k', value: 2 }]);
});

test('run loop: undecodable records go to the DLQ with their bytes and reason, the rest is evaluated', async () => {
  const producer = recordingProducer();
  const service = createDetectService(deps(producer));
  const batch = batches(stream.slice(0, 3), 3)[0] as IncomingBatch;
  batch.messages.push({ topic: 'events', partition: 0, offset: '3', key: null, value: Buffer.from('{"not":"an event"}'), headers: {}, timestampMs: 0 });
  batch.messages.push({ topic: 'events', partition: 0, offset: '4', key: null, value: Buffer.from('{oops'), headers: {}, timestampMs: 0 });
  await service.handleBatch(batch, control);
  const dlq = (producer.sent.get('dlq') ?? []).map((m) => JSON.parse(String(m.value)) as { raw: string; reason: string; origin: { source: string } });
  assert.equal(dlq.length, 2);
  assert.equal(Buffer.from(dlq[1]?.raw ?? '', 'base64').toString(), '{oops');
  assert.match(dlq[0]?.reason ?? '', /^detect: not a valid event: /);
  assert.match(dlq[1]?.reason ?? '', /^detect: invalid JSON/);
});
