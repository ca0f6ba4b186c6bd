import { createOccurrenceCounter } from '@atlas-audit/shared/core/event-id';
import { accessEntryRawKey, normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import type { AccessStream } from './streams.ts';
import type { AccessPager } from './access-pager.ts';
import { dlqDraft } from './dlq-draft.ts';
import { admitDlq, admitEvent, emptyBatch, type WindowBatch } from './dedupe.ts';
import { isoWindow } from './audit-window.ts';

/**
 * Turns a finished access-history pager into a batch: entries in time order (newest first, as
 * served) get their occurrence index by raw log line, are normalised, deduplicated against the
 * checkpoint and clipped at the horizon; unusable entries become dead letters. Pure.
 */
export function accessWindowBatch(stream: AccessStream, pager: AccessPager, seen: Set<string>, horizonMs: number): WindowBatch {
  const batch = emptyBatch();
  const occurrences = createOccurrenceCounter();
  const window = isoWindow(pager.window);
  const origin = { project: stream.project, source: 'atlas.access' as const, endpoint: `dbAccessHistory/clusters/${stream.cluster}`, ...(window === undefined ? {} : { window }) };
  const ordered = [...pager.collected].sort((a, b) => (b.timeMs ?? 0) - (a.timeMs ?? 0));
  for (const { entry } of ordered) {
    batch.stats.received += 1;
    const raw = accessEntryRawKey(entry);
    const occurrence = occurrences.next(raw);
    const result = normaliseAccessEntry(entry, occurrence, { project: stream.project, cluster: stream.cluster });
    if (result.ok) admitEvent(batch, result.value, seen, horizonMs);
    else admitDlq(batch, dlqDraft(raw, result.reason, origin, occurrence), seen, pager.window.endMs);
  }
  for (const entry of pager.untimed) {
    batch.stats.received += 1;
    const raw = accessEntryRawKey(entry);
    admitDlq(batch, dlqDraft(raw, 'access entry has no readable time', origin, occurrences.next(raw)), seen, pager.window.endMs);
  }
  return batch;
}
