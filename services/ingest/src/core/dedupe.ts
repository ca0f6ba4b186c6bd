import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { DlqDraft } from './dlq-draft.ts';
import { seenKey } from './checkpoint.ts';

/** What one window turns into: events and dead letters to produce, and the dedupe entries they add. */
export type WindowBatch = {
  events: AtlasEvent[];
  dlq: DlqDraft[];
  /** [event or DLQ id, timestamp ms] of everything produced, for the next checkpoint's dedupe set. */
  produced: Array<[string, number]>;
  stats: WindowStats;
};

export type WindowStats = {
  /** Records the API returned (lines or entries). */
  received: number;
  /** Events to produce. */
  events: number;
  /** Records already produced by an earlier overlapping window. */
  duplicates: number;
  /** Records older than the dedupe horizon: covered by earlier windows, not produced again. */
  clipped: number;
  /** Records dead-lettered. */
  invalid: number;
  /** Records that are not data (Atlas' "No data" marker). */
  skipped: number;
};

/** An empty batch. */
export function emptyBatch(): WindowBatch {
  return { events: [], dlq: [], produced: [], stats: { received: 0, events: 0, duplicates: 0, clipped: 0, invalid: 0, skipped: 0 } };
}

/**
 * Adds a normalised event to the batch unless its id is in `seen` (produced by an overlapping
 * window, or earlier in this one) or it is older than `horizonMs`. Mutates `batch` and `seen`.
 */
export function admitEvent(batch: WindowBatch, event: AtlasEvent, seen: Set<string>, horizonMs: number): void {
  const ts = Date.parse(event['@timestamp']);
  const key = seenKey(event.event.id);
  if (seen.has(key)) {
    batch.stats.duplicates += 1;
    return;
  }
  if (ts < horizonMs) {
    batch.stats.clipped += 1;
    return;
  }
  seen.add(key);
  batch.events.push(event);
  batch.produced.push([event.event.id, ts]);
  batch.stats.events += 1;
}

/** Adds a dead letter unless the same one (same id) was already produced; `atMs` dates it in the dedupe set. */
export function admitDlq(batch: WindowBatch, draft: DlqDraft, seen: Set<string>, atMs: number): void {
  const key = seenKey(draft.id ?? '');
  if (draft.id !== undefined && seen.has(key)) {
    batch.stats.duplicates += 1;
    return;
  }
  if (draft.id !== undefined) {
    seen.add(key);
    batch.produced.push([draft.id, atMs]);
  }
  batch.dlq.push(draft);
  batch.stats.invalid += 1;
}
