import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { AppError } from '@atlas-audit/shared/errors';
import { createLogger } from '@atlas-audit/shared/logger';
import type { IncomingMessage, OutgoingMessage } from '@atlas-audit/shared/kafka';
import { createSiemMetrics } from '../src/metrics.ts';
import { createSinkWorker, type DeliveryPolicy } from '../src/sink-worker.ts';
import { handleAlertBatch, handleRetryBatch } from '../src/run.ts';
import { decodeParkedHeaders } from '../src/core/park.ts';
import type { AlertItem, Sink } from '../src/sinks/sink.ts';
import { sampleAlert } from './fixtures.ts';

const log = createLogger({ name: 'test', level: 'silent' });
const policy: DeliveryPolicy = { queueMax: 100, batchMax: 2, requestTimeoutMs: 1_000, parkAfterMs: 300, retryBaseDelayMs: 10, retryMaxDelayMs: 50, redriveBaseDelayMs: 0, redriveMaxDelayMs: 10 };

function item(n: number): AlertItem {
  const alert = sampleAlert({ id: n.toString(16).padStart(64, '0') });
  return { alert, raw: JSON.stringify(alert) };
}

/** An in-memory sink that fails while `failing()` is true and records what it accepted. */
function memorySink(name: string, failing: () => boolean): Sink & { received: string[]; calls: number } {
  const sink = {
    name,
    type: 'memory',
    received: [] as string[],
    calls: 0,
    async deliver(items: readonly AlertItem[]) {
      sink.calls += 1;
      if (failing()) throw new AppError(`sink ${name}: refused`, { code: 'SINK_UNAVAILABLE', retryable: true });
      sink.received.push(...items.map((i) => i.alert.event.id));
    },
    close: async () => {},
  };
  return sink;
}

function parkRecorder(): { parked: OutgoingMessage[]; park: (m: readonly OutgoingMessage[]) => Promise<void> } {
  const parked: OutgoingMessage[] = [];
  return { parked, park: async (m) => void parked.push(...m) };
}

test('a transient failure is retried and delivered in batches of batchMax', async () => {
  let failures = 2;
  const sink = memorySink('a', () => failures-- > 0);
  const { parked, park } = parkRecorder();
  const worker = createSinkWorker({ sink, policy, park, log, metrics: createSiemMetrics(new Registry()) });
  assert.equal(await worker.submit([item(1), item(2), item(3)]), 'delivered');
  assert.deepEqual(sink.received, [item(1), item(2), item(3)].map((i) => i.alert.event.id));
  assert.equal(parked.length, 0);
  assert.equal(sink.calls, 4);
  await worker.close();
});

test('a sink that stays down parks its alerts, and then costs one attempt per batch', async () => {
  const sink = memorySink('down', () => true);
  const { parked, park } = parkRecorder();
  const worker = createSinkWorker({ sink, policy: { ...policy, batchMax: 10 }, park, log, metrics: createSiemMetrics(new Registry()) });
  assert.equal(await worker.submit([item(1)]), 'parked');
  const callsAfterFirst = sink.calls;
  assert.ok(callsAfterFirst > 1, 'retried before parking');
  const started = Date.now();
  assert.equal(await worker.submit([item(2)]), 'parked');
  assert.equal(sink.calls, callsAfterFirst + 1);
  assert.ok(Date.now() - started < policy.parkAfterMs);
  assert.deepEqual(parked.map((p) => decodeParkedHeaders(p.headers ?? {})?.sink), ['down', 'down']);
  assert.deepEqual(parked.map((p) => p.key), [item(1).alert.event.id, item(2).alert.event.id]);
  assert.equal(parked[0]?.value, item(1).raw);
  await worker.close();
});

test('a full queue parks at once instead of waiting', async () => {
  const sink = memorySink('slow', () => true);
  const { parked, park } = parkRecorder();
  const worker = createSinkWorker({ sink, policy: { ...policy, queueMax: 2, parkAfterMs: 200 }, park, log, metrics: createSiemMetrics(new Registry()) });
  const first = worker.submit([item(1), item(2)]);
  assert.equal(await worker.submit([item(3)]), 'parked');
  assert.equal(decodeParkedHeaders(parked[0]?.headers ?? {})?.alertId, item(3).alert.event.id);
  assert.equal(await first, 'parked');
  await worker.close();
});

function incoming(value: string, headers: Record<string, string> = {}, offset = 0): IncomingMessage {
  return { topic: 'atlas.alerts.v1', partition: 0, offset: String(offset), key: null, value: Buffer.from(value), headers, timestampMs: 0 };
}

test('an alert batch reaches the healthy sink while the other parks; invalid messages are dead-lettered', async () => {
  const good = memorySink('good', () => false);
  const bad = memorySink('bad', () => true);
  const { parked, park } = parkRecorder();
  const metrics = createSiemMetrics(new Registry());
  const workers = [good, bad].map((sink) => createSinkWorker({ sink, policy, park, log, metrics }));
  const dead: OutgoingMessage[] = [];
  await handleAlertBatch([incoming(item(1).raw), incoming('{not json'), incoming(item(2).raw)], { workers, deadLetter: async (m) => void dead.push(...m), metrics, log, nowMs: () => 0 });
  assert.deepEqual(good.received, [item(1).alert.event.id, item(2).alert.event.id]);
  assert.equal(parked.length, 2);
  assert.equal(dead.length, 1);
  assert.match(JSON.parse(String(dead[0]?.value)).reason as string, /^invalid JSON/);
  // Re-drive: the parked records go only to the sink they were parked for, once it recovers.
  const recovered = memorySink('bad', () => false);
  const redriveWorker = createSinkWorker({ sink: recovered, policy, park, log, metrics });
  const control = { heartbeat: async () => {}, isRunning: () => true };
  await handleRetryBatch(parked.map((p, n) => incoming(String(p.value), p.headers, n)), { workers: new Map([['bad', redriveWorker]]), metrics, log, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }, control);
  assert.deepEqual(recovered.received, [item(1).alert.event.id, item(2).alert.event.id]);
  assert.equal(parked.length, 2, 'nothing parked again');
  await Promise.all([...workers, redriveWorker].map((w) => w.close()));
});
