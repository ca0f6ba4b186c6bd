import { bulkBytesOf, chunkActions } from './core/bulk-body.ts';
import type { IndexAction } from './core/index-action.ts';
import type { BulkItemResult } from './core/settle-item.ts';

/** Sends one bulk request; resolves with one result per action, in order; throws when the request as a whole fails. */
export type SendBulk = (actions: readonly IndexAction[]) => Promise<BulkItemResult[]>;

export type CoalescerLimits = { maxDocs: number; maxBytes: number; flushMs: number; maxInFlight?: number };

type Waiter = { action: IndexAction; arrivedMs: number; resolve: (r: BulkItemResult) => void; reject: (err: unknown) => void };

export type BulkCoalescer = {
  /** Queues actions for the next bulk request(s); resolves with their results in order, rejects if their request failed. */
  submit(actions: readonly IndexAction[]): Promise<BulkItemResult[]>;
  /** Documents queued or in flight. */
  pendingCount(): number;
};

/**
 * Merges the actions of concurrently handled partitions into shared bulk requests. A request
 * goes out as soon as the queue holds `maxDocs` documents or `maxBytes` bytes, and at the
 * latest `flushMs` after the oldest queued action arrived; at most `maxInFlight` requests (default 2)
 * are in flight at a time.
 */
export function createBulkCoalescer(send: SendBulk, limits: CoalescerLimits): BulkCoalescer {
  let queue: Waiter[] = [];
  let queuedBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlightDocs = 0;
  let inFlightRequests = 0;
  let due = false;
  const maxInFlight = limits.maxInFlight ?? 2;

  const full = (): boolean => queue.length >= limits.maxDocs || queuedBytes >= limits.maxBytes;

  const pump = (): void => {
    if (inFlightRequests >= maxInFlight || queue.length === 0 || !(due || full())) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    due = false;
    const [chunk = []] = chunkActions(queue.map((w) => w.action), limits.maxDocs, limits.maxBytes);
    const taken = queue.slice(0, chunk.length);
    queue = queue.slice(chunk.length);
    queuedBytes = queue.reduce((sum, w) => sum + bulkBytesOf(w.action), 0);
    inFlightDocs += taken.length;
    inFlightRequests += 1;
    send(chunk).then(
      (results) => {
        taken.forEach((w, i) => {
          const result = results[i];
          if (result) w.resolve(result);
          else w.reject(new Error('bulk response has fewer items than the request'));
        });
      },
      (err: unknown) => {
        for (const w of taken) w.reject(err);
      },
    ).finally(() => {
      inFlightDocs -= taken.length;
      inFlightRequests -= 1;
      const oldest = queue[0];
      if (oldest && Date.now() - oldest.arrivedMs >= limits.flushMs) due = true;
      else arm();
      pump();
    });
    arm();
    pump();
  };

  const arm = (): void => {
    const oldest = queue[0];
    if (timer || !oldest) return;
    timer = setTimeout(() => {
      timer = undefined;
      due = true;
      pump();
    }, Math.max(0, limits.flushMs - (Date.now() - oldest.arrivedMs)));
  };

  return {
    submit(actions) {
      if (actions.length === 0) return Promise.resolve([]);
      const arrivedMs = Date.now();
      const promises = actions.map(
        (action) =>
          new Promise<BulkItemResult>((resolve, reject) => {
            queue.push({ action, arrivedMs, resolve, reject });
            queuedBytes += bulkBytesOf(action);
          }),
      );
      arm();
      pump();
      return Promise.all(promises);
    },
    pendingCount: () => queue.length + inFlightDocs,
  };
}
