import { AppError } from '@atlas-audit/shared/errors';
import type { AtlasApi } from './atlas/api.ts';
import type { Stream } from './core/streams.ts';
import type { TimeWindow } from './core/window.ts';
import type { WindowBatch } from './core/dedupe.ts';
import type { DlqDraft } from './core/dlq-draft.ts';
import { gunzipLogBody, splitLines } from './core/gzip-body.ts';
import { auditWindowBatch, isoWindow } from './core/audit-window.ts';
import { acceptAccessPage, startAccessPager } from './core/access-pager.ts';
import { accessWindowBatch } from './core/access-window.ts';
import { eventsWindowBatch } from './core/events-window.ts';
import { dlqDraft } from './core/dlq-draft.ts';

/**
 * Fetches one window of one time-ranged stream and turns it into a batch. A failure (HTTP
 * error after retries, corrupt or truncated gzip) is an outcome, not an exception: the caller
 * records coverage "failed", dead-letters what it got, and retries the window later.
 */
export type WindowOutcome =
  | { ok: true; batch: WindowBatch; truncated: boolean }
  | { ok: false; reason: string; dlq: DlqDraft[] };

export type FetchOptions = { accessNLogs: number; maxAccessPages: number };

/** A short, secret-free reason for a failed request. */
export function reasonOf(err: unknown): string {
  if (err instanceof AppError) {
    const status = err.details['status'];
    const code = err.details['errorCode'];
    return [err.code, status === undefined ? undefined : `status=${String(status)}`, code === undefined || code === null ? undefined : `errorCode=${String(code)}`].filter((p) => p !== undefined).join(' ');
  }
  return err instanceof Error ? err.name : 'unknown error';
}

/** Fetches and builds the batch for `window` of an audit, access or events stream. */
export async function fetchWindow(api: AtlasApi, stream: Stream, window: TimeWindow, seen: Set<string>, horizonMs: number, options: FetchOptions): Promise<WindowOutcome> {
  try {
    switch (stream.kind) {
      case 'audit': {
        const body = await api.downloadLog(stream.project, stream.host, stream.logName, Math.floor(window.startMs / 1000), Math.floor(window.endMs / 1000));
        const decoded = gunzipLogBody(body);
        if (!decoded.ok) {
          const iso = isoWindow(window);
          const origin = { project: stream.project, host: stream.host, source: 'atlas.audit' as const, logName: stream.logName, ...(iso === undefined ? {} : { window: iso }) };
          return { ok: false, reason: decoded.reason, dlq: [dlqDraft(body.subarray(0, 65_536), `window download unusable, window retried: ${decoded.reason}`, origin)] };
        }
        return { ok: true, batch: auditWindowBatch(stream, window, splitLines(decoded.value), seen, horizonMs), truncated: false };
      }
      case 'access': {
        let pager = startAccessPager(window, options.accessNLogs);
        while (!pager.done) {
          if (pager.pages >= options.maxAccessPages) return { ok: false, reason: `access history needs more than ${options.maxAccessPages} pages`, dlq: [] };
          const page = await api.accessHistory(stream.project, stream.cluster, window.startMs, pager.nextEndMs, options.accessNLogs);
          pager = acceptAccessPage(pager, page);
        }
        return { ok: true, batch: accessWindowBatch(stream, pager, seen, horizonMs), truncated: pager.truncated };
      }
      case 'project-events':
      case 'org-events': {
        const minIso = new Date(window.startMs).toISOString();
        const maxIso = new Date(window.endMs).toISOString();
        const results = await api.events(stream.kind === 'project-events' ? { project: stream.project } : { org: stream.org }, minIso, maxIso);
        return { ok: true, batch: eventsWindowBatch(stream, window, results, seen, horizonMs), truncated: false };
      }
      case 'posture':
        return { ok: false, reason: 'posture is not a windowed stream', dlq: [] };
    }
  } catch (err) {
    return { ok: false, reason: reasonOf(err), dlq: [] };
  }
}
