import type { Logger } from '@atlas-audit/shared/logger';
import type { OutgoingMessage } from '@atlas-audit/shared/kafka';
import { backoffDelayMs } from '@atlas-audit/shared/retry';
import { encodeParkedHeaders, notBeforeOf } from './core/park.ts';
import { noLedger, type DeliveryLedger } from './delivery-ledger.ts';
import type { SiemMetrics } from './metrics.ts';
import type { AlertItem, Sink } from './sinks/sink.ts';

export type DeliveryPolicy = {
  queueMax: number;
  batchMax: number;
  requestTimeoutMs: number;
  parkAfterMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  redriveBaseDelayMs: number;
  redriveMaxDelayMs: number;
};

export type SubmitOptions = {
  /** How many times these alerts were parked before (0 for fresh alerts). */
  attempt?: number;
  /** One delivery attempt, then park (re-drives). */
  single?: boolean;
};

export type DeliveryOutcome = 'delivered' | 'parked';

export type SinkWorker = {
  name: string;
  /** Resolves once every alert is acknowledged by the sink ('delivered') or parked in the retry topic ('parked'); rejects only when parking fails. */
  submit(items: readonly AlertItem[], options?: SubmitOptions): Promise<DeliveryOutcome>;
  /** Alerts waiting or in flight. */
  depth(): number;
  isDown(): boolean;
  /** Stops retrying (pending work is parked) and waits for the queue to empty, then closes the sink. */
  close(): Promise<void>;
};

type Job = { items: readonly AlertItem[]; options: SubmitOptions; enqueuedMs: number; resolve: (o: DeliveryOutcome) => void; reject: (e: unknown) => void };

export type SinkWorkerDeps = {
  sink: Sink;
  policy: DeliveryPolicy;
  /** Produces parked records to the retry topic (acks=all). */
  park: (messages: readonly OutgoingMessage[]) => Promise<void>;
  log: Logger;
  metrics: SiemMetrics;
  /** Alerts this sink acknowledged before (across restarts); they are not sent again. Default: none known. */
  ledger?: DeliveryLedger;
  nowMs?: () => number;
};

/**
 * One sink's delivery lane: a bounded FIFO queue, batches of at most `batchMax`, retries with
 * full-jitter backoff for up to `parkAfterMs`, then parking in the retry topic. While the sink is
 * down (its last attempt failed) each batch gets a single attempt, so a dead sink costs at most
 * one request timeout per batch and never holds the other sinks back for long. A full queue
 * parks at once. Alerts the ledger records as acknowledged by this sink are skipped (a batch
 * read again after a crash); every acknowledged chunk is recorded in the ledger.
 */
export function createSinkWorker(deps: SinkWorkerDeps): SinkWorker {
  const { sink, policy, log, metrics } = deps;
  const now = deps.nowMs ?? Date.now;
  const ledger = deps.ledger ?? noLedger;
  const queue: Job[] = [];
  const stopping = new AbortController();
  let queued = 0;
  let pumping: Promise<void> | undefined;
  let down = false;

  const gauge = (): void => metrics.queueDepth.set({ sink: sink.name }, queued);

  async function park(items: readonly AlertItem[], attempt: number, reason: string): Promise<void> {
    const nextAttempt = attempt + 1;
    const notBeforeMs = notBeforeOf(now(), nextAttempt, policy.redriveBaseDelayMs, policy.redriveMaxDelayMs, Math.random);
    await deps.park(items.map((i) => ({ key: i.alert.event.id, value: i.raw, headers: encodeParkedHeaders({ sink: sink.name, attempt: nextAttempt, notBeforeMs, alertId: i.alert.event.id }) })));
    metrics.parked.inc({ sink: sink.name, reason }, items.length);
    log.warn({ sink: sink.name, count: items.length, attempt: nextAttempt, reason, notBeforeMs }, 'alerts parked in retry topic');
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  async function attemptChunk(chunk: readonly AlertItem[], job: Job): Promise<boolean> {
    const single = job.options.single === true || down;
    const deadlineMs = job.enqueuedMs + policy.parkAfterMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await sink.deliver(chunk, AbortSignal.timeout(policy.requestTimeoutMs));
        await ledger.record(
          sink.name,
          chunk.map((i) => i.alert.event.id),
        );
        if (down) log.info({ sink: sink.name }, 'sink recovered');
        down = false;
        metrics.delivered.inc({ sink: sink.name }, chunk.length);
        return true;
      } catch (err) {
        metrics.failures.inc({ sink: sink.name });
        const reason = err instanceof Error ? err.message : 'unknown error';
        const delayMs = Math.max(policy.retryBaseDelayMs, backoffDelayMs(attempt, policy.retryBaseDelayMs, policy.retryMaxDelayMs));
        if (single || stopping.signal.aborted || now() + delayMs >= deadlineMs) {
          if (!down) log.warn({ sink: sink.name, reason, attempts: attempt }, 'sink down');
          down = true;
          return false;
        }
        log.debug({ sink: sink.name, reason, attempt, delayMs }, 'delivery failed, retrying');
        await sleep(delayMs);
      }
    }
  }

  async function process(job: Job): Promise<DeliveryOutcome> {
    let parked = false;
    // One ledger look-up per job: what this sink acknowledged before (a batch read again after a crash).
    const known = await ledger.delivered(
      sink.name,
      job.items.map((i) => i.alert.event.id),
    );
    const items = known.size === 0 ? job.items : job.items.filter((i) => !known.has(i.alert.event.id));
    if (items.length < job.items.length) {
      metrics.alreadyDelivered.inc({ sink: sink.name }, job.items.length - items.length);
      log.info({ sink: sink.name, count: job.items.length - items.length }, 'alerts already acknowledged by the sink skipped');
    }
    for (let i = 0; i < items.length; i += policy.batchMax) {
      const chunk = items.slice(i, i + policy.batchMax);
      if (!(await attemptChunk(chunk, job))) {
        await park(chunk, job.options.attempt ?? 0, job.options.single ? 'redrive_failed' : 'unavailable');
        parked = true;
      }
    }
    return parked ? 'parked' : 'delivered';
  }

  async function pump(): Promise<void> {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      try {
        job.resolve(await process(job));
      } catch (err) {
        job.reject(err);
      } finally {
        queued -= job.items.length;
        gauge();
      }
    }
    pumping = undefined;
  }

  return {
    name: sink.name,
    async submit(items, options = {}) {
      if (items.length === 0) return 'delivered';
      if (queued + items.length > policy.queueMax || stopping.signal.aborted) {
        await park(items, options.attempt ?? 0, stopping.signal.aborted ? 'stopping' : 'queue_full');
        return 'parked';
      }
      queued += items.length;
      gauge();
      return new Promise<DeliveryOutcome>((resolve, reject) => {
        queue.push({ items, options, enqueuedMs: now(), resolve, reject });
        pumping ??= pump();
      });
    },
    depth: () => queued,
    isDown: () => down,
    async close() {
      stopping.abort();
      await pumping;
      await sink.close();
    },
  };
}
