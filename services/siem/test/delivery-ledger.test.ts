import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { AppError } from '@atlas-audit/shared/errors';
import { createLogger } from '@atlas-audit/shared/logger';
import type { DeliveryLedger } from '../src/delivery-ledger.ts';
import { createSiemMetrics } from '../src/metrics.ts';
import { createSinkWorker, type DeliveryPolicy } from '../src/sink-worker.ts';
import type { AlertItem, Sink } from '../src/sinks/sink.ts';
import { sampleAlert } from './fixtures.ts';

const log = createLogger({ name: 'test', level: 'silent' });
const policy: DeliveryPolicy = { queueMax: 100, batchMax: 2, requestTimeoutMs: 1_000, parkAfterMs: 300, retryBaseDelayMs: 10, retryMaxDelayMs: 50, redriveBaseDelayMs: 0, redriveMaxDelayMs: 10 };

function item(n: number): AlertItem {
  const alert = sampleAlert({ id: n.toString(16).padStart(64, '0') });
  return { alert, raw: JSON.stringify(alert) };
}

/** An in-memory ledger, as a restarted process would find it in MongoDB. */
function memoryLedger(): DeliveryLedger & { bySink: Map<string, Set<string>> } {
  const bySink = new Map<string, Set<string>>();
  return {
    bySink,
    delivered: async (sink, ids) => new Set(ids.filter((id) => bySink.get(sink)?.has(id) === true)),
    record: async (sink, ids) => {
      const set = bySink.get(sink) ?? new Set<string>();
      for (const id of ids) set.add(id);
      bySink.set(sink, set);
    },
    close: () => {},
  };
}

function memorySink(name: string, failing: () => boolean = () => false): Sink & { received: string[] } {
  const sink = {
    name,
    type: 'memory',
    received: [] as string[],
    async deliver(items: readonly AlertItem[]) {
      if (failing()) throw new AppError(`sink ${name}: refused`, { code: 'SINK_UNAVAILABLE', retryable: true });
      sink.received.push(...items.map((i) => i.alert.event.id));
    },
    close: async () => {},
  };
  return sink;
}

test('a batch read again after a crash sends only what the sink had not acknowledged', async () => {
  const ledger = memoryLedger();
  const ids = [1, 2, 3, 4, 5].map((n) => item(n).alert.event.id);
  // First incarnation: the sink acknowledged the first two chunks (4 alerts) before the process died.
  const first = memorySink('hook');
  const before = createSinkWorker({ sink: first, policy, park: async () => {}, log, metrics: createSiemMetrics(new Registry()), ledger });
  assert.equal(await before.submit([item(1), item(2), item(3), item(4)]), 'delivered');
  assert.deepEqual([...(ledger.bySink.get('hook') ?? [])], ids.slice(0, 4), 'each acknowledged chunk is recorded');
  // Second incarnation reads the uncommitted batch again, now with one more alert.
  const registry = new Registry();
  const second = memorySink('hook');
  const after = createSinkWorker({ sink: second, policy, park: async () => {}, log, metrics: createSiemMetrics(registry), ledger });
  assert.equal(await after.submit([item(1), item(2), item(3), item(4), item(5)]), 'delivered');
  assert.deepEqual(second.received, [ids[4]], 'only the alert the sink never acknowledged');
  assert.match(await registry.getSingleMetricAsString('atlas_siem_already_delivered_total'), /sink="hook"} 4/);
  await Promise.all([before.close(), after.close()]);
});

test('the ledger is per sink: what one sink acknowledged is still sent to another', async () => {
  const ledger = memoryLedger();
  await ledger.record('a', [item(1).alert.event.id]);
  const b = memorySink('b');
  const worker = createSinkWorker({ sink: b, policy, park: async () => {}, log, metrics: createSiemMetrics(new Registry()), ledger });
  assert.equal(await worker.submit([item(1)]), 'delivered');
  assert.deepEqual(b.received, [item(1).alert.event.id]);
  await worker.close();
});

test('a failed or parked delivery is not recorded, so it is sent again later', async () => {
  const ledger = memoryLedger();
  const down = memorySink('down', () => true);
  const parked: string[] = [];
  const worker = createSinkWorker({ sink: down, policy, park: async (m) => void parked.push(...m.map((x) => String(x.key))), log, metrics: createSiemMetrics(new Registry()), ledger });
  assert.equal(await worker.submit([item(7)]), 'parked');
  assert.deepEqual(parked, [item(7).alert.event.id]);
  assert.equal(ledger.bySink.get('down'), undefined, 'nothing recorded for an unacknowledged alert');
  await worker.close();
});
