import type { Logger } from 'pino';
import { AppError } from '@atlas-audit/shared/errors';
import { withRetry } from '@atlas-audit/shared/retry';
import type { BatchControl, BusConsumer, BusProducer, DeferredSettlement, IncomingBatch, IncomingMessage } from '@atlas-audit/shared/kafka';
import { consumerRestartLogger } from '@atlas-audit/shared/kafka-client';
import type { IndexLayout } from '@atlas-audit/shared/es/index-names';
import { createBulkCoalescer, type CoalescerLimits, type SendBulk } from './bulk-coalescer.ts';
import { planIndexAction, type DocKind, type IndexAction } from './core/index-action.ts';
import { settleItem } from './core/settle-item.ts';
import { deadLetterFor } from './core/dead-letter.ts';
import type { IndexerMetrics } from './metrics.ts';

export type IndexerTopics = { events: string; alerts: string; dlq: string; indexDlq: boolean };

export type IndexerDeps = {
  consumer: BusConsumer;
  /** Publishes dead-letter records. */
  producer: BusProducer;
  sendBulk: SendBulk;
  layout: IndexLayout;
  topics: IndexerTopics;
  /**
   * `maxPendingDocs`: documents handed off but not yet settled. Below it a batch is handed off
   * and the consumer fetches on while it is written (offsets committed when it settles); at it,
   * the handler waits. Without it, or with a consumer that does not honour deferred settlement,
   * each batch is written before the next fetch.
   */
  limits: CoalescerLimits & { partitionsConcurrently: number; maxPendingDocs?: number };
  metrics: IndexerMetrics;
  log: Logger;
  /** Aborting it stops every retry loop (the drain deadline on shutdown). */
  signal: AbortSignal;
  now: () => Date;
  retry?: { baseDelayMs: number; maxDelayMs: number };
  /**
   * Resolves when Elasticsearch answers. While paused it is polled every `probeIntervalMs`, so
   * consumption resumes even if no held batch is left to retry (e.g. after a rebalance).
   */
  probe?: () => Promise<unknown>;
  probeIntervalMs?: number;
};

export type Indexer = {
  /** Subscribes and starts consuming; resolves once the consumer runs. */
  start(fromBeginning: boolean): Promise<void>;
  /** Indexes one partition batch; resolves only when every record is settled (indexed, duplicate or dead-lettered). */
  handleBatch(batch: IncomingBatch, control: BatchControl): Promise<void>;
  /** Hands a batch off once fewer than `maxPendingDocs` documents are unsettled; `settled` resolves as handleBatch would. */
  handOff(batch: IncomingBatch, control: BatchControl): Promise<DeferredSettlement>;
  isPaused(): boolean;
};

type Pending = { action: IndexAction; message: IncomingMessage };
type Rejected = { message: IncomingMessage; reason: string };

/**
 * The indexer loop: plan each record, bulk-create it, settle every item (2xx and 409 done,
 * 429/5xx retried with backoff, other errors dead-lettered), and only then let the consumer
 * commit the batch. While Elasticsearch is unreachable every subscribed topic is paused and
 * the current batch is held (memory bounded by the fetch size) and retried with capped backoff.
 */
export function createIndexer(deps: IndexerDeps): Indexer {
  const { consumer, producer, metrics, log, topics, layout } = deps;
  const retry = deps.retry ?? { baseDelayMs: 100, maxDelayMs: 5_000 };
  const coalescer = createBulkCoalescer(deps.sendBulk, deps.limits);
  const subscribed = [topics.events, topics.alerts, ...(topics.indexDlq ? [topics.dlq] : [])];
  let paused = false;
  let probeTimer: NodeJS.Timeout | undefined;

  const probeLater = (): void => {
    if (!deps.probe || probeTimer || deps.signal.aborted) return;
    const probe = deps.probe;
    probeTimer = setTimeout(() => {
      probe().then(
        () => {
          probeTimer = undefined;
          setPaused(false);
        },
        () => {
          probeTimer = undefined;
          if (paused) probeLater();
        },
      );
    }, deps.probeIntervalMs ?? 2_000);
    probeTimer.unref();
  };

  const setPaused = (value: boolean): void => {
    if (value === paused) return;
    paused = value;
    if (value) probeLater();
    metrics.paused.set(value ? 1 : 0);
    for (const topic of subscribed) {
      if (value) consumer.pause(topic);
      else consumer.resume(topic);
    }
    if (value) log.warn({ topics: subscribed }, 'elasticsearch unreachable, consumption paused');
    else log.info({ topics: subscribed }, 'elasticsearch reachable, consumption resumed');
  };

  const kindOf = (topic: string): DocKind => (topic === topics.alerts ? 'alert' : topic === topics.dlq ? 'dlq' : 'event');

  async function indexAll(topic: string, pendingAtStart: Pending[], rejected: Rejected[], control: BatchControl): Promise<void> {
    let pending = pendingAtStart;
    await withRetry(
      async (attempt) => {
        if (attempt > 0) await control.heartbeat();
        metrics.pending.set(coalescer.pendingCount() + pending.length);
        let results;
        try {
          results = await coalescer.submit(pending.map((p) => p.action));
        } catch (err) {
          if (err instanceof AppError && err.retryable) {
            setPaused(true);
            metrics.itemRetries.inc({ reason: 'unavailable' }, pending.length);
          }
          throw err;
        }
        setPaused(false);
        const next: Pending[] = [];
        let indexed = 0;
        let duplicate = 0;
        results.forEach((result, i) => {
          const item = pending[i];
          if (!item) return;
          const outcome = settleItem(result);
          if (outcome.kind === 'indexed') indexed += 1;
          else if (outcome.kind === 'duplicate') duplicate += 1;
          else if (outcome.kind === 'retry') {
            next.push(item);
            metrics.itemRetries.inc({ reason: result.status === 429 ? '429' : result.status >= 500 ? '5xx' : 'other' });
          } else rejected.push({ message: item.message, reason: outcome.reason });
        });
        metrics.documents.inc({ topic, outcome: 'indexed' }, indexed);
        metrics.documents.inc({ topic, outcome: 'duplicate' }, duplicate);
        pending = next;
        if (next.length > 0) {
          throw new AppError('bulk items need a retry', { code: 'ELASTICSEARCH_UNAVAILABLE', retryable: true, details: { count: next.length } });
        }
      },
      {
        attempts: Number.POSITIVE_INFINITY,
        baseDelayMs: retry.baseDelayMs,
        maxDelayMs: retry.maxDelayMs,
        signal: deps.signal,
        onRetry: (err, attempt, delayMs) => log.debug({ err, attempt, delayMs, topic }, 'bulk retry'),
      },
    );
  }

  async function deadLetter(topic: string, rejected: Rejected[]): Promise<void> {
    if (rejected.length === 0) return;
    if (topic === topics.dlq) {
      // A dead-letter record the DLQ index refuses is never re-published (that would loop): counted and logged.
      metrics.documents.inc({ topic, outcome: 'dropped' }, rejected.length);
      log.warn({ topic, count: rejected.length, reason: rejected[0]?.reason }, 'dead-letter records not indexable, dropped');
      return;
    }
    const nowIso = deps.now().toISOString();
    const records = rejected.map(({ message, reason }) => ({ key: message.key, value: JSON.stringify(deadLetterFor(topic, message.value, reason, nowIso)) }));
    await withRetry(() => producer.send(topics.dlq, records), { attempts: Number.POSITIVE_INFINITY, baseDelayMs: retry.baseDelayMs, maxDelayMs: retry.maxDelayMs, signal: deps.signal });
    metrics.documents.inc({ topic, outcome: 'dlq' }, rejected.length);
    log.warn({ topic, count: rejected.length, reason: rejected[0]?.reason }, 'records dead-lettered');
  }

  async function handleBatch(batch: IncomingBatch, control: BatchControl): Promise<void> {
    const kind = kindOf(batch.topic);
    const pending: Pending[] = [];
    const rejected: Rejected[] = [];
    for (const message of batch.messages) {
      const planned = planIndexAction(kind, message.value, layout);
      if (planned.ok) pending.push({ action: planned.value, message });
      else rejected.push({ message, reason: planned.reason });
    }
    if (pending.length > 0) await indexAll(batch.topic, pending, rejected, control);
    await deadLetter(batch.topic, rejected);
    metrics.pending.set(coalescer.pendingCount());
  }

  let unsettledDocs = 0;
  const waiting = new Set<() => void>();
  const noHeartbeat: BatchControl = { heartbeat: async () => undefined, isRunning: () => true };

  async function handOff(batch: IncomingBatch, control: BatchControl): Promise<DeferredSettlement> {
    const max = deps.limits.maxPendingDocs ?? Number.POSITIVE_INFINITY;
    while (unsettledDocs > 0 && unsettledDocs + batch.messages.length > max) {
      // Bounded memory: wait for earlier batches to settle, keeping the group membership.
      await new Promise<void>((resolve) => {
        waiting.add(resolve);
        setTimeout(resolve, 1_000).unref();
      });
      await control.heartbeat();
      if (deps.signal.aborted) throw deps.signal.reason;
    }
    unsettledDocs += batch.messages.length;
    // Kafka keeps the group alive between fetches; retries inside a handed-off batch need no heartbeat.
    const settled = handleBatch(batch, noHeartbeat).finally(() => {
      unsettledDocs -= batch.messages.length;
      for (const wake of waiting) wake();
      waiting.clear();
    });
    settled.catch((err: unknown) => log.warn({ err, topic: batch.topic, partition: batch.partition }, 'batch not settled; it will be read again'));
    return { settled };
  }

  return {
    async start(fromBeginning) {
      await consumer.subscribe(subscribed, fromBeginning);
      // Hand-off only where the consumer commits on settlement; elsewhere each batch is written before the next fetch.
      const deferred = deps.limits.maxPendingDocs !== undefined && consumer.honoursDeferredSettlement === true;
      await consumer.run({ eachBatch: deferred ? handOff : handleBatch, partitionsConsumedConcurrently: deps.limits.partitionsConcurrently, onRestart: consumerRestartLogger(log) });
      log.info({ topics: subscribed, layout: layout.namespace }, 'indexer consuming');
    },
    handleBatch,
    handOff,
    isPaused: () => paused,
  };
}
