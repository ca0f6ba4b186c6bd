import { diffSnapshots } from '@atlas-audit/shared/core/normalise/posture-diff';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import type { PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import type { PostureStream } from './streams.ts';
import { dlqDraft } from './dlq-draft.ts';
import { admitDlq, admitEvent, emptyBatch, type WindowBatch } from './dedupe.ts';

/**
 * Turns a posture snapshot into a batch: the first snapshot of a project as one state event per
 * resource, every later one as change events (added, removed, changed) against the previous
 * snapshot, which the checkpoint carries. Pure.
 */
export function postureBatch(stream: PostureStream, previous: PostureSnapshot | undefined, next: PostureSnapshot, takenAtMs: number): WindowBatch {
  const batch = emptyBatch();
  const context = { project: stream.project };
  const results = previous === undefined ? normalisePostureSnapshot(next, context) : diffSnapshots(previous, next, context);
  const seen = new Set<string>();
  for (const result of results) {
    batch.stats.received += 1;
    if (result.ok) admitEvent(batch, result.value, seen, Number.NEGATIVE_INFINITY);
    else admitDlq(batch, dlqDraft(result.reason, result.reason, { project: stream.project, source: 'atlas.posture', endpoint: 'posture' }), seen, takenAtMs);
  }
  return batch;
}

/** The snapshot carried in a checkpoint's state, if it has one. */
export function snapshotOf(state: Record<string, unknown> | undefined): PostureSnapshot | undefined {
  const snapshot = state?.['snapshot'];
  if (typeof snapshot !== 'object' || snapshot === null) return undefined;
  const takenAt = (snapshot as { takenAt?: unknown }).takenAt;
  return typeof takenAt === 'string' ? (snapshot as PostureSnapshot) : undefined;
}
