/**
 * What a consumer does when its client has stopped it for good on an error it does not retry
 * (kafkajs after a broker restart that outlasts its retries: "Failed to find group coordinator"
 * while the offsets topic loads): start it again, with backoff, from the last committed offsets.
 * Restarts in a row count up; past `maxInARow` the consumer counts as crashed. The count starts
 * again once a batch is handled (progress) or after `quietResetMs` without a stop. Rejoining the
 * group is not enough: an error that recurs on the same batch after every join would restart
 * the consumer for ever.
 */
export type ConsumerRestarter = {
  /** The client stopped the consumer with `cause`: schedule a start, or crash past the budget. */
  stopped(cause: unknown): void;
  /** A batch was handled: the count of restarts in a row starts again. */
  progressed(): void;
  /** No more starts (shutdown). */
  cancel(): void;
};

export function createConsumerRestarter(options: {
  maxInARow: number;
  delayMs: (attempt: number) => number;
  /** After this long without a stop, the next one counts as the first again (default 5 min). */
  quietResetMs?: number;
  now?: () => number;
  /** Connects and runs the consumer again; a rejection counts as another stop. */
  start: () => Promise<void>;
  crash: (cause: unknown) => void;
  onRestart?: ((cause: unknown, attempt: number, delayMs: number) => void) | undefined;
}): ConsumerRestarter {
  let inARow = 0;
  let cancelled = false;
  let timer: NodeJS.Timeout | undefined;
  const now = options.now ?? Date.now;
  const quietResetMs = options.quietResetMs ?? 5 * 60_000;
  let lastStopMs = Number.NEGATIVE_INFINITY;
  const stopped = (cause: unknown): void => {
    if (cancelled) return;
    if (now() - lastStopMs > quietResetMs) inARow = 0;
    lastStopMs = now();
    if (inARow >= options.maxInARow) {
      options.crash(cause);
      return;
    }
    inARow += 1;
    const attempt = inARow;
    const delayMs = options.delayMs(attempt);
    options.onRestart?.(cause, attempt, delayMs);
    timer = setTimeout(() => {
      timer = undefined;
      if (cancelled) return;
      options.start().catch(stopped);
    }, delayMs);
  };
  return {
    stopped,
    progressed: () => {
      inARow = 0;
    },
    cancel: () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
