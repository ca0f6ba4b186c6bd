import type { Logger } from '@atlas-audit/shared/logger';
import type { BatchControl, IncomingMessage, OutgoingMessage } from '@atlas-audit/shared/kafka';
import type { DlqRecord } from '@atlas-audit/shared/schema/dlq';
import { decodeParkedHeaders } from './core/park.ts';
import { parseAlert } from './core/parse-alert.ts';
import type { SiemMetrics } from './metrics.ts';
import type { SinkWorker } from './sink-worker.ts';
import type { AlertItem } from './sinks/sink.ts';

export type BatchDeps = {
  workers: readonly SinkWorker[];
  /** Sends dead-letter records (acks=all). */
  deadLetter: (messages: readonly OutgoingMessage[]) => Promise<void>;
  metrics: SiemMetrics;
  log: Logger;
  nowMs: () => number;
};

function dlqMessage(message: IncomingMessage, reason: string, nowMs: number): OutgoingMessage {
  const record: DlqRecord = {
    schema_version: '1',
    raw: (message.value ?? Buffer.alloc(0)).toString('base64'),
    reason,
    origin: { source: 'atlas.pipeline', endpoint: message.topic },
    timestamp: new Date(nowMs).toISOString(),
  };
  return { key: message.key, value: JSON.stringify(record) };
}

/**
 * Handles one batch of `atlas.alerts.v1`: invalid messages go to the DLQ; valid alerts are handed
 * to every sink at once. Resolves when each sink acknowledged or parked every alert, so the
 * caller may commit the batch's offsets; rejects (no commit) only when parking or the DLQ fails.
 */
export async function handleAlertBatch(messages: readonly IncomingMessage[], deps: BatchDeps, control?: BatchControl): Promise<void> {
  const items: AlertItem[] = [];
  const dead: OutgoingMessage[] = [];
  for (const message of messages) {
    const parsed = parseAlert(message.value);
    if (parsed.ok) items.push({ alert: parsed.value, raw: (message.value ?? Buffer.alloc(0)).toString('utf8') });
    else dead.push(dlqMessage(message, parsed.reason, deps.nowMs()));
  }
  if (dead.length > 0) {
    await deps.deadLetter(dead);
    deps.metrics.invalid.inc(dead.length);
    deps.log.warn({ count: dead.length }, 'invalid alerts dead-lettered');
  }
  await whileHeartbeating(control, Promise.all(deps.workers.map((w) => w.submit(items))));
}

/** Keeps the consumer-group membership alive while a long delivery is pending. */
async function whileHeartbeating<T>(control: BatchControl | undefined, work: Promise<T>): Promise<T> {
  if (control === undefined) return work;
  const timer = setInterval(() => {
    control.heartbeat().catch(() => {});
  }, 2_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

export type RedriveDeps = {
  workers: ReadonlyMap<string, SinkWorker>;
  metrics: SiemMetrics;
  log: Logger;
  nowMs: () => number;
  /** Sleeps up to `ms`; used to wait for a parked record's not-before time. */
  sleep: (ms: number) => Promise<void>;
};

/**
 * Handles one batch of the retry topic: each record is re-driven to the one sink it was parked
 * for, no earlier than its not-before time, with a single attempt; a failure parks it again with
 * a longer backoff. Records of different sinks proceed independently. Records for a sink that
 * is no longer configured, or that are not alerts, are counted and skipped.
 */
export async function handleRetryBatch(messages: readonly IncomingMessage[], deps: RedriveDeps, control: BatchControl): Promise<void> {
  const bySink = new Map<string, Array<{ item: AlertItem; attempt: number; notBeforeMs: number }>>();
  let skipped = 0;
  for (const message of messages) {
    const headers = decodeParkedHeaders(message.headers);
    const parsed = parseAlert(message.value);
    const worker = headers === undefined ? undefined : deps.workers.get(headers.sink);
    if (headers === undefined || worker === undefined || !parsed.ok) {
      skipped += 1;
      continue;
    }
    const list = bySink.get(headers.sink) ?? [];
    list.push({ item: { alert: parsed.value, raw: (message.value ?? Buffer.alloc(0)).toString('utf8') }, attempt: headers.attempt, notBeforeMs: headers.notBeforeMs });
    bySink.set(headers.sink, list);
  }
  if (skipped > 0) {
    deps.metrics.redriven.inc({ sink: 'unknown', outcome: 'skipped' }, skipped);
    deps.log.warn({ count: skipped }, 'retry records skipped (unknown sink or not an alert)');
  }
  await Promise.all(
    [...bySink.entries()].map(async ([sinkName, records]) => {
      const worker = deps.workers.get(sinkName) as SinkWorker;
      for (const record of records) {
        for (let waitMs = record.notBeforeMs - deps.nowMs(); waitMs > 0; waitMs = record.notBeforeMs - deps.nowMs()) {
          if (!control.isRunning()) throw new Error('consumer stopping: retry batch left uncommitted');
          await deps.sleep(Math.min(waitMs, 1_000));
          await control.heartbeat();
        }
        const outcome = await whileHeartbeating(control, worker.submit([record.item], { attempt: record.attempt, single: true }));
        deps.metrics.redriven.inc({ sink: sinkName, outcome });
      }
    }),
  );
}
