import { createHash } from 'node:crypto';
import { CLOUD_PROVIDER, EVENT_MODULE, SCHEMA_VERSION, type AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Stream } from './streams.ts';
import type { TimeWindow } from './window.ts';
import type { WindowStats } from './dedupe.ts';

/**
 * Coverage: for every stream and window, whether it was fetched (with data), empty, or failed,
 * so a gap is visible as a metric and as an `atlas.pipeline` event instead of silence.
 */
export const coverageStatuses = ['fetched', 'empty', 'failed', 'truncated'] as const;
export type CoverageStatus = (typeof coverageStatuses)[number];

export type CoverageRecord = {
  stream: Stream;
  window: TimeWindow;
  status: CoverageStatus;
  stats?: WindowStats | undefined;
  /** Why a window failed (no secrets: HTTP status and error codes only). */
  reason?: string | undefined;
  /** When it was observed, ms; part of the id of failures, so each failed attempt is its own record. */
  observedMs: number;
};

/** The coverage status of a window that was fetched and decoded. */
export function statusOf(stats: WindowStats, truncated: boolean): CoverageStatus {
  if (truncated) return 'truncated';
  return stats.received === 0 ? 'empty' : 'fetched';
}

/** The Prometheus labels of a stream: project (or org), host or cluster, source. */
export function coverageLabels(stream: Stream): { project: string; target: string; source: string } {
  switch (stream.kind) {
    case 'audit':
      return { project: stream.project, target: stream.host, source: stream.logName };
    case 'access':
      return { project: stream.project, target: stream.cluster, source: 'dbAccessHistory' };
    case 'project-events':
      return { project: stream.project, target: '-', source: 'events' };
    case 'org-events':
      return { project: stream.org, target: '-', source: 'orgEvents' };
    case 'posture':
      return { project: stream.project, target: '-', source: 'posture' };
  }
}

/**
 * The coverage record as an `atlas.pipeline` event. Its id covers the stream, the window and
 * the status (and, for failures, the observation time), so committing it again after a crash
 * yields the same id. Pure.
 */
export function coverageEvent(record: CoverageRecord): AtlasEvent {
  const labels = coverageLabels(record.stream);
  const start = new Date(record.window.startMs).toISOString();
  const end = new Date(record.window.endMs).toISOString();
  const idInput = `atlas-audit/coverage/v1\n${record.stream.key}\n${start}\n${end}\n${record.status}\n${record.status === 'failed' ? record.observedMs : ''}`;
  const id = createHash('sha256').update(idInput).digest('hex');
  const stats = record.stats;
  const counts = stats === undefined ? '' : ` received=${stats.received} events=${stats.events} duplicates=${stats.duplicates} clipped=${stats.clipped} invalid=${stats.invalid} skipped=${stats.skipped}`;
  const isFailure = record.status === 'failed';
  const event: AtlasEvent = {
    schema_version: SCHEMA_VERSION,
    '@timestamp': isFailure ? new Date(record.observedMs).toISOString() : end,
    event: {
      id,
      kind: 'event',
      category: ['host'],
      type: [isFailure ? 'error' : 'info'],
      action: `window-${record.status}`,
      outcome: isFailure ? 'failure' : 'success',
      dataset: 'atlas.pipeline',
      module: EVENT_MODULE,
      reason: `${record.stream.key} window ${start}/${end}${counts}${record.reason === undefined ? '' : ` reason=${record.reason}`}`.slice(0, 2000),
    },
    cloud: { provider: CLOUD_PROVIDER },
    related: { ip: [], user: [] },
    atlas: { source_coordinates: { endpoint: `coverage/${labels.source}`, occurrence: 0 } },
  };
  if (record.stream.kind === 'org-events') {
    event.cloud.account = { id: record.stream.org };
    event.atlas.source_coordinates.org = record.stream.org;
  } else {
    event.cloud.project = { id: record.stream.project };
    event.atlas.source_coordinates.project = record.stream.project;
  }
  if (record.stream.kind === 'audit') {
    event.host = { name: record.stream.host };
    event.atlas.log_name = record.stream.logName;
    event.atlas.source_coordinates.host = record.stream.host;
    event.atlas.source_coordinates.log_name = record.stream.logName;
  }
  if (record.stream.kind === 'access') event.service = { name: record.stream.cluster, type: 'mongodb' };
  return event;
}
