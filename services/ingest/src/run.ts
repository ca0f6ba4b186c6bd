import type { IngestConfig } from './config.ts';
import type { IngestDeps } from './ports.ts';
import type { Stream } from './core/streams.ts';
import type { WindowPolicy } from './core/window.ts';
import { dedupeHorizonMs, isCaughtUp, planWindow } from './core/window.ts';
import { advanceCheckpoint, initialCheckpoint, seenSet, type Checkpoint } from './core/checkpoint.ts';
import { coverageEvent, statusOf, type CoverageRecord } from './core/coverage.ts';
import { afterFailure, afterIdle, afterSuccess, dueStreams, type StreamTiming } from './core/schedule.ts';
import { postureBatch, snapshotOf } from './core/posture-window.ts';
import { fetchWindow, type WindowOutcome } from './fetch-window.ts';
import { fetchPostureSnapshot } from './fetch-posture.ts';
import { discoverStreams } from './discover.ts';
import { createCommitter, type Committer } from './committer.ts';

/**
 * The ingest loop: restore checkpoints, discover streams, and poll each stream on its own
 * schedule. One window per stream is fetched at a time, the next one while the previous
 * commits; a window's events, dead letters, coverage record and new checkpoint are committed
 * to Kafka in one transaction, and only then is its checkpoint the committed one. A failed
 * window is retried after backoff, never skipped; a failed commit makes the loop re-read the
 * checkpoints from the log before anything else starts. When
 * `signal` aborts, no new window starts, in-flight windows are abandoned uncommitted, and
 * what is already queued for commit is committed.
 */
export type IngestHandle = {
  /** Resolves when the loop has stopped and the committer has drained. */
  done: Promise<void>;
  /** True once checkpoints are restored and the first discovery ran. */
  isReady(): boolean;
};

/** An error for a log line: name, code and a bounded message (drivers can echo whole documents). */
export function briefError(err: unknown): { name: string; code?: string; message: string } {
  if (!(err instanceof Error)) return { name: 'unknown', message: String(err).slice(0, 300) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, ...(code === undefined ? {} : { code: String(code) }), message: err.message.slice(0, 300) };
}

/** Window policy of a stream kind from config. */
export function policyOf(config: IngestConfig, stream: Stream): WindowPolicy & { intervalMs: number } {
  switch (stream.kind) {
    case 'audit':
      return { ...config.ingest.audit, granularityMs: 1000, minAdvanceMs: 1000 };
    case 'access':
      return { ...config.ingest.access, granularityMs: 1, minAdvanceMs: 1000 };
    case 'project-events':
    case 'org-events':
      return { ...config.ingest.events, granularityMs: 1000, minAdvanceMs: 1000 };
    case 'posture':
      return { intervalMs: config.ingest.postureIntervalMs, lagMs: 0, overlapMs: 0, maxWindowMs: Number.MAX_SAFE_INTEGER, granularityMs: 1, minAdvanceMs: config.ingest.postureIntervalMs };
  }
}

/** Starts the loop; see IngestHandle. */
export function startIngest(config: IngestConfig, deps: IngestDeps, signal: AbortSignal): IngestHandle {
  const random = deps.random ?? Math.random;
  const { clock, log, observer } = deps;
  const streams = new Map<string, Stream>();
  const timings = new Map<string, StreamTiming>();
  const inFlight = new Set<string>();
  let checkpoints = new Map<string, Checkpoint>();
  let ready = false;
  // After a failed commit the outcome is unknown (the transaction may have committed): the
  // checkpoints are read back from the log before any further window starts.
  let needsRestore = false;
  let wakeLoop: (() => void) | undefined;
  const wake = (): void => wakeLoop?.();
  // Pipelining: a stream fetches its next window while the previous one commits. `pending` is
  // its newest submitted-but-uncommitted checkpoint (the base of the next window), `uncommitted`
  // how many of its windows wait for Kafka (at most 2, to bound memory).
  const pending = new Map<string, Checkpoint>();
  const uncommitted = new Map<string, number>();
  const committing = new Set<Promise<void>>();

  const startMs = (): number => (config.ingest.startAt === undefined ? clock.nowMs() - config.ingest.startLookbackMs : Date.parse(config.ingest.startAt));

  async function commitWindow(committer: Committer, stream: Stream, record: CoverageRecord, outcome: WindowOutcome, next: Checkpoint | undefined, epoch?: number): Promise<void> {
    const coverage = coverageEvent(record);
    if (outcome.ok) await committer.submit({ events: [...outcome.batch.events, coverage], dlq: outcome.batch.dlq, checkpoint: next, epoch });
    else await committer.submit({ events: [coverage], dlq: outcome.dlq });
    observer.coverage(record, next?.cursorMs ?? checkpoints.get(stream.key)?.cursorMs);
  }

  async function pollStream(committer: Committer, stream: Stream): Promise<void> {
    const policy = policyOf(config, stream);
    const previous = pending.get(stream.key) ?? checkpoints.get(stream.key) ?? initialCheckpoint(stream.key, startMs(), new Date(clock.nowMs()).toISOString());
    const epoch = committer.epoch();
    const nowMs = clock.nowMs();
    const window = planWindow(previous.cursorMs, nowMs, policy);
    if (window === undefined) {
      timings.set(stream.key, afterIdle(nowMs, Math.min(policy.intervalMs, Math.max(100, previous.cursorMs + policy.minAdvanceMs + policy.lagMs - nowMs))));
      return;
    }
    let outcome: WindowOutcome;
    let state: Record<string, unknown> | undefined;
    if (stream.kind === 'posture') {
      const takenAt = new Date(window.endMs).toISOString();
      const fetched = await fetchPostureSnapshot(deps.atlas, stream.project, takenAt);
      if (fetched.ok) {
        outcome = { ok: true, batch: postureBatch(stream, snapshotOf(previous.state), fetched.snapshot, window.endMs), truncated: false };
        state = { snapshot: fetched.snapshot, missing: fetched.missing };
      } else outcome = { ok: false, reason: fetched.reason, dlq: [] };
    } else {
      outcome = await fetchWindow(deps.atlas, stream, window, seenSet(previous), dedupeHorizonMs(previous.cursorMs, policy.overlapMs), { accessNLogs: config.atlas.accessNLogs, maxAccessPages: 1000 });
    }
    if (signal.aborted) return; // abandoned: nothing committed, the checkpoint stays where it was
    const observedMs = clock.nowMs();
    if (outcome.ok) {
      const next = advanceCheckpoint(previous, stream.key, window, outcome.batch.produced, dedupeHorizonMs(window.endMs, policy.overlapMs), new Date(observedMs).toISOString(), state);
      const record: CoverageRecord = { stream, window, status: statusOf(outcome.batch.stats, outcome.truncated), stats: outcome.batch.stats, observedMs };
      pending.set(stream.key, next);
      uncommitted.set(stream.key, (uncommitted.get(stream.key) ?? 0) + 1);
      const commit = commitWindow(committer, stream, record, outcome, next, epoch).then(
        () => {
          const known = checkpoints.get(stream.key);
          if (known === undefined || known.seq < next.seq) checkpoints.set(stream.key, next);
          if (pending.get(stream.key) === next) pending.delete(stream.key);
        },
        (err: unknown) => {
          log.warn({ err: briefError(err), stream: stream.key }, 'window commit failed');
          needsRestore = true;
          pending.clear();
          timings.set(stream.key, afterFailure(timings.get(stream.key) ?? { dueAtMs: 0, failures: 0 }, clock.nowMs(), config.ingest.retryBaseMs, config.ingest.retryMaxMs, random));
        },
      );
      const tracked: Promise<void> = commit.finally(() => {
        uncommitted.set(stream.key, Math.max(0, (uncommitted.get(stream.key) ?? 1) - 1));
        committing.delete(tracked);
        wake();
      });
      committing.add(tracked);
      timings.set(stream.key, afterSuccess(clock.nowMs(), stream.kind === 'posture' || isCaughtUp(window.endMs, clock.nowMs(), policy), policy.intervalMs));
      return;
    }
    log.warn({ stream: stream.key, reason: outcome.reason, windowStart: window.startMs, windowEnd: window.endMs }, 'window failed, will retry');
    const failure: CoverageRecord = { stream, window, status: 'failed', reason: outcome.reason, observedMs };
    timings.set(stream.key, afterFailure(timings.get(stream.key) ?? { dueAtMs: 0, failures: 0 }, observedMs, config.ingest.retryBaseMs, config.ingest.retryMaxMs, random));
    await commitWindow(committer, stream, failure, outcome, undefined).catch((err: unknown) => log.warn({ err: briefError(err), stream: stream.key }, 'failure record not committed'));
  }

  async function discover(): Promise<number> {
    const found = await discoverStreams(deps.atlas, config, [...streams.values()]);
    for (const reason of found.reasons) log.warn({ reason }, 'discovery incomplete');
    const keys = new Set(found.streams.map((s) => s.key));
    for (const key of [...streams.keys()]) {
      if (!keys.has(key) && !inFlight.has(key)) {
        streams.delete(key);
        timings.delete(key);
        log.info({ stream: key }, 'stream no longer discovered');
      }
    }
    for (const stream of found.streams) {
      if (!streams.has(stream.key)) timings.set(stream.key, { dueAtMs: clock.nowMs(), failures: 0 });
      streams.set(stream.key, stream);
    }
    const counts: Record<string, number> = {};
    for (const s of streams.values()) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
    observer.streams(counts);
    return found.failedProjects.length + (found.reasons.length > 0 && found.streams.length === 0 ? 1 : 0);
  }

  async function main(): Promise<void> {
    checkpoints = await deps.checkpoints.restore();
    log.info({ checkpoints: checkpoints.size }, 'checkpoints restored');
    const committer = createCommitter(deps.sink, deps.checkpoints, clock, {
      maxEventsPerCommit: config.ingest.maxEventsPerCommit,
      onCommitted: (counts) => observer.committed(counts),
      onMirrorError: (err) => log.warn({ err: briefError(err) }, 'checkpoint mirror to mongodb failed'),
    });
    let nextDiscoveryMs = 0;
    const running = new Set<Promise<void>>();
    while (!signal.aborted) {
      const nowMs = clock.nowMs();
      if (nowMs >= nextDiscoveryMs) {
        let failures = 1;
        try {
          failures = await discover();
        } catch (err) {
          log.warn({ err: briefError(err) }, 'discovery failed');
        }
        ready = true;
        nextDiscoveryMs = clock.nowMs() + (failures > 0 ? Math.min(config.ingest.retryBaseMs * 2, config.ingest.discoveryIntervalMs) : config.ingest.discoveryIntervalMs);
      }
      if (needsRestore && inFlight.size === 0 && committing.size === 0) {
        try {
          checkpoints = await deps.checkpoints.restore();
          pending.clear();
          needsRestore = false;
          log.info({ checkpoints: checkpoints.size }, 'checkpoints restored after a failed commit');
        } catch (err) {
          log.warn({ err: briefError(err) }, 'checkpoint restore failed');
        }
      }
      const slots = needsRestore ? 0 : config.ingest.maxWindowsInFlight - inFlight.size;
      const busy = new Set(inFlight);
      for (const [key, count] of uncommitted) if (count >= 2) busy.add(key);
      for (const key of dueStreams(timings, busy, clock.nowMs(), slots)) {
        const stream = streams.get(key);
        if (stream === undefined) continue;
        inFlight.add(key);
        const task = pollStream(committer, stream)
          .catch((err: unknown) => {
            log.error({ err: briefError(err), stream: key }, 'stream poll crashed');
            timings.set(key, afterFailure(timings.get(key) ?? { dueAtMs: 0, failures: 0 }, clock.nowMs(), config.ingest.retryBaseMs, config.ingest.retryMaxMs, random));
          })
          .finally(() => {
            inFlight.delete(key);
            running.delete(task);
            wake();
          });
        running.add(task);
      }
      let nextDue = nextDiscoveryMs;
      for (const [key, timing] of timings) if (!busy.has(key)) nextDue = Math.min(nextDue, timing.dueAtMs);
      const waitMs = Math.max(5, Math.min(1000, (nextDue - clock.nowMs()) / (clock.speed ?? 1)));
      await new Promise<void>((resolve) => {
        // Whichever ends the wait (timer, wake-up or abort) removes the other two: the loop turns
        // about once a second for as long as the worker runs, and must not pile up listeners.
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal.addEventListener('abort', done, { once: true });
        wakeLoop = done;
      });
      wakeLoop = undefined;
    }
    await Promise.allSettled([...running]);
    await committer.close();
    await Promise.allSettled([...committing]);
  }

  return { done: main(), isReady: () => ready };
}
