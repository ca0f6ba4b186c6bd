import type { Logger } from 'pino';
import type { Alert } from '@atlas-audit/shared/schema/alert';
import type { BatchControl, BusConsumer, BusProducer, IncomingBatch, OutgoingMessage } from '@atlas-audit/shared/kafka';
import { consumerRestartLogger } from '@atlas-audit/shared/kafka-client';
import { withRetry } from '@atlas-audit/shared/retry';
import type { CompiledConfig } from './core/config/compile.ts';
import { deadLetterOf, decodeEvent } from './core/decode.ts';
import { createEngine, type Engine } from './core/engine.ts';
import { createMemoryState, type MemoryState } from './core/state/memory.ts';
import type { DetectMetrics } from './metrics.ts';
import type { StateBackend } from './state-backend.ts';

export type DetectTopics = { events: string; alerts: string; dlq: string };

export type DetectDeps = {
  consumer: BusConsumer;
  producer: BusProducer;
  backend: StateBackend;
  rules: CompiledConfig;
  topics: DetectTopics;
  log: Logger;
  metrics?: DetectMetrics;
  now: () => Date;
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
};

export type DetectService = {
  /** Subscribes and starts consuming. */
  start(fromBeginning: boolean): Promise<void>;
  /** Evaluates one partition batch: alerts acknowledged and state persisted before it resolves (then the consumer commits). */
  handleBatch(batch: IncomingBatch, control: BatchControl): Promise<void>;
  /** Partitions whose state is loaded in memory. */
  ownedPartitions(): number[];
};

type Owned = { state: MemoryState; engine: Engine };

/**
 * The detect loop, per partition batch: decode (bad records → DLQ), evaluate in order, produce
 * alerts (key = alert id) and dead letters, persist the changed state (fenced by offset), and
 * only then return so the consumer commits. State is owned per partition: loaded from the
 * backend on first use after each assignment and dropped on rebalance or on any failure, so a
 * retried batch is evaluated against the state that preceded it and re-raises the same ids.
 */
export function createDetectService(deps: DetectDeps): DetectService {
  const { consumer, producer, backend, topics, log, metrics } = deps;
  const retry = deps.retry ?? { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };
  const owned = new Map<number, Owned>();

  async function ownedFor(partition: number): Promise<Owned> {
    let o = owned.get(partition);
    if (o === undefined) {
      const entries = await withRetry(() => backend.load(partition), { ...retry, onRetry: (err, attempt) => log.warn({ err, attempt, partition }, 'state load failed, retrying') });
      const state = createMemoryState();
      state.load(entries);
      o = { state, engine: createEngine(deps.rules, state) };
      owned.set(partition, o);
      metrics?.partitionsOwned.set(owned.size);
      log.info({ partition, entries: entries.length }, 'partition state loaded');
    }
    return o;
  }

  async function handleBatch(batch: IncomingBatch, control: BatchControl): Promise<void> {
    const started = process.hrtime.bigint();
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined) return;
    const o = await ownedFor(batch.partition);
    try {
      const alerts: Alert[] = [];
      const dead: OutgoingMessage[] = [];
      const timestamp = deps.now().toISOString();
      for (const m of batch.messages) {
        const decoded = decodeEvent(m.value);
        if (!decoded.ok) {
          const record = deadLetterOf(m.value, decoded.reason, { topic: m.topic, partition: m.partition, offset: m.offset }, timestamp);
          dead.push({ key: record.id ?? null, value: JSON.stringify(record) });
          continue;
        }
        for (const a of o.engine.evaluate(decoded.value)) alerts.push(a);
      }
      const messages = alerts.map((a): OutgoingMessage => ({ key: a.event.id, value: JSON.stringify(a) }));
      await withRetry(async (attempt) => {
        if (attempt > 0) await control.heartbeat();
        await producer.send(topics.alerts, messages);
        await producer.send(topics.dlq, dead);
      }, { ...retry, onRetry: (err, attempt) => log.warn({ err, attempt, partition: batch.partition }, 'produce failed, retrying') });
      const changes = o.state.changes();
      await withRetry(() => backend.save(batch.partition, changes, Number(last.offset)), { ...retry, onRetry: (err, attempt) => log.warn({ err, attempt, partition: batch.partition }, 'state save failed, retrying') });
      o.state.markClean();
      metrics?.events.inc({ outcome: 'evaluated' }, batch.messages.length - dead.length);
      if (dead.length > 0) metrics?.events.inc({ outcome: 'dlq' }, dead.length);
      for (const a of alerts) metrics?.alerts.inc({ rule: a.rule.id, severity: a.severity });
      metrics?.statePersisted.inc(changes.length);
      metrics?.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      if (alerts.length > 0 || dead.length > 0) log.info({ partition: batch.partition, count: batch.messages.length, alerts: alerts.length, dlq: dead.length, throughOffset: last.offset }, 'batch evaluated');
    } catch (err) {
      // The in-memory state already holds this batch: drop it so the redelivered batch starts from persisted state.
      owned.delete(batch.partition);
      metrics?.partitionsOwned.set(owned.size);
      throw err;
    }
  }

  return {
    async start(fromBeginning) {
      await consumer.subscribe([topics.events], fromBeginning);
      await consumer.run({
        eachBatch: handleBatch,
        onRestart: consumerRestartLogger(log),
        onAssign: (assignment) => {
          // Another replica may have advanced any partition while it was not ours: reload lazily.
          owned.clear();
          metrics?.partitionsOwned.set(0);
          log.info({ partitions: assignment.flatMap((a) => a.partitions) }, 'partitions assigned');
        },
      });
    },
    handleBatch,
    ownedPartitions: () => [...owned.keys()].sort((a, b) => a - b),
  };
}
