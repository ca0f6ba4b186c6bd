import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import type { ProjectEventsStream, OrgEventsStream } from './streams.ts';
import type { TimeWindow } from './window.ts';
import { dlqDraft } from './dlq-draft.ts';
import { admitDlq, admitEvent, emptyBatch, type WindowBatch } from './dedupe.ts';
import { isoWindow } from './audit-window.ts';

/**
 * Turns the results of every page of one activity-feed window into a batch. Event ids derive
 * from Atlas' own event id, so an event seen on two pages or in two overlapping windows is
 * produced once. Pure.
 */
export function eventsWindowBatch(stream: ProjectEventsStream | OrgEventsStream, window: TimeWindow, results: readonly unknown[], seen: Set<string>, horizonMs: number): WindowBatch {
  const batch = emptyBatch();
  const isProject = stream.kind === 'project-events';
  const context = isProject ? { project: stream.project } : { org: stream.org };
  const iso = isoWindow(window);
  const origin = { ...(isProject ? { project: stream.project } : { org: stream.org }), source: 'atlas.activity' as const, endpoint: isProject ? 'groups/events' : 'orgs/events', ...(iso === undefined ? {} : { window: iso }) };
  for (const doc of results) {
    batch.stats.received += 1;
    const result = normaliseActivityEvent(doc, context);
    if (result.ok) admitEvent(batch, result.value, seen, horizonMs);
    else admitDlq(batch, dlqDraft(safeJson(doc), result.reason, origin), seen, window.endMs);
  }
  return batch;
}

function safeJson(doc: unknown): string {
  try {
    return JSON.stringify(doc) ?? String(doc);
  } catch {
    return String(doc);
  }
}
