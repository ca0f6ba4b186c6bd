import { recordsForProcessChunk, type ActivityRecord } from './activity.ts';
import { chunkMs, chunkPublishedAt, chunkStartOf } from './chunks.ts';
import { authFailureText, renderAuthLogLine } from './server-log-render.ts';
import type { Process, Project, World } from './world.ts';

/**
 * Database access history (authentication attempts) per cluster or process, derived from the
 * same activity as the audit logs, without the Atlas agents. Newest first, as Atlas answers.
 */

export type AccessLogEntry = {
  authResult: boolean;
  authSource: string;
  failureReason: string | null;
  groupId: string;
  hostname: string;
  ipAddress: string;
  logLine: string;
  timestamp: string;
  username: string;
};

export type AccessQuery = { startMs: number; endMs: number; nLogs: number; ipAddress?: string; authResult?: boolean };

export const accessHistoryMaxLogs = 20000;
export const accessHistoryRetentionMs = 7 * 24 * 3600 * 1000;

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Java `Date.toString()` in GMT: `Tue Mar 04 14:07:40 GMT 2025`. */
export function javaDateText(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT ${d.getUTCFullYear()}`;
}

/**
 * The `timestamp` style of an entry: Atlas documents ISO but mostly sends Java dates, so both
 * appear. Rule: connection ids divisible by 3 get ISO (`2025-03-04T14:07:40Z`), others Java.
 */
export function accessTimestamp(record: ActivityRecord): string {
  return record.conn % 3 === 0 ? `${new Date(record.t).toISOString().slice(0, 19)}Z` : javaDateText(record.t);
}

/** One access-history entry from an authenticate record received by `process`. */
export function accessEntry(project: Project, process: Process, record: ActivityRecord): AccessLogEntry {
  const param = record.param as { user?: string; db?: string };
  return {
    authResult: record.result === 0,
    authSource: param.db ?? 'admin',
    failureReason: record.result === 0 ? null : authFailureText(record),
    groupId: project.id,
    hostname: process.hostname,
    ipAddress: record.remote?.ip ?? '',
    logLine: renderAuthLogLine(record),
    timestamp: accessTimestamp(record),
    username: param.user ?? '',
  };
}

/**
 * Access-history entries of `processes` for the query at `nowMs`, newest first, at most
 * `nLogs`. Only published chunks within the 7-day retention are visible. Ties in time keep a
 * stable order (process, then line order) so paging by `end` is reproducible.
 */
export function accessHistory(world: World, project: Project, processes: readonly Process[], query: AccessQuery, nowMs: number): AccessLogEntry[] {
  const lagMs = world.scenario.publicationLagSeconds * 1000;
  const from = Math.max(query.startMs, nowMs - accessHistoryRetentionMs, world.startMs);
  const to = Math.min(query.endMs, nowMs, world.endMs);
  const out: AccessLogEntry[] = [];
  if (to < from) return out;
  for (let c = chunkStartOf(to); c + chunkMs > from; c -= chunkMs) {
    if (chunkPublishedAt(c, lagMs) > nowMs) continue;
    const batch: Array<{ r: ActivityRecord; p: Process }> = [];
    for (const p of processes) {
      for (const r of recordsForProcessChunk(world, project, p, c, { agents: false })) {
        if (r.atype !== 'authenticate' || r.agent || r.t < from || r.t > to) continue;
        if (query.authResult !== undefined && (r.result === 0) !== query.authResult) continue;
        if (query.ipAddress !== undefined && r.remote?.ip !== query.ipAddress) continue;
        batch.push({ r, p });
      }
    }
    batch.sort((a, b) => b.r.t - a.r.t);
    for (const { r, p } of batch) {
      out.push(accessEntry(project, p, r));
      if (out.length >= query.nLogs) return out;
    }
  }
  return out;
}
