import { linesForWindow, type ChunkLine } from './core/host-chunk.ts';
import type { LogName, World } from './core/world.ts';
import type { RequestRecord } from './state.ts';

/**
 * For tests: every distinct log line the simulator actually delivered, recomputed from the
 * request log (successful, unfaulted downloads only; stalled ones count). A line is identified
 * by (project, host, log name, its raw text), the same coordinates an ingest dedupes on.
 */

export type ServedLine = ChunkLine & { groupId: string; host: string; logName: LogName };

/** Distinct served lines keyed by `groupId|host|logName|text`. */
export function servedLines(world: World, records: readonly RequestRecord[]): Map<string, ServedLine> {
  const out = new Map<string, ServedLine>();
  for (const r of records) {
    if (r.endpoint !== 'logs' || r.status !== 200 || r.window === undefined || r.groupId === undefined || r.host === undefined || r.logName === undefined) continue;
    if (r.fault === 'corrupt-gzip' || r.fault === 'truncated-gzip') continue;
    const logName = r.logName as LogName;
    for (const line of linesForWindow(world, r.groupId, r.host, logName, r.window.startMs, r.window.endMs, r.simMs, r.late)) {
      const key = `${r.groupId}|${r.host}|${logName}|${line.text}`;
      if (!out.has(key)) out.set(key, { ...line, groupId: r.groupId, host: r.host, logName });
    }
  }
  return out;
}
