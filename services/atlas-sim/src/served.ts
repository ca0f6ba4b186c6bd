import { linesForHostChunk, visitWindow, type ChunkLine, type ChunkSource } from './core/host-chunk.ts';
import type { LogName, World } from './core/world.ts';
import type { RequestRecord } from './state.ts';

/**
 * For tests: every distinct log line the simulator actually delivered, recomputed from the
 * request log (successful downloads whose body was not corrupted, truncated or replaced; stalled ones
 * count). A line's identity is its place in the estate: `groupId|host|logName|chunkStart|index`.
 */

export type ServedLine = ChunkLine & { groupId: string; host: string; logName: LogName; chunkStart: number; index: number };

/** Distinct served lines keyed by `groupId|host|logName|chunkStart|index`. */
export function servedLines(world: World, records: readonly RequestRecord[]): Map<string, ServedLine> {
  const out = new Map<string, ServedLine>();
  const memo = new Map<string, ChunkLine[]>();
  const source: ChunkSource = (w, projectId, hostname, logName, chunkStart) => {
    const key = `${projectId}|${hostname}|${logName}|${chunkStart}`;
    let lines = memo.get(key);
    if (lines === undefined) {
      lines = linesForHostChunk(w, projectId, hostname, logName, chunkStart);
      memo.set(key, lines);
    }
    return lines;
  };
  for (const r of records) {
    if (r.endpoint !== 'logs' || r.status !== 200 || r.window === undefined || r.groupId === undefined || r.host === undefined || r.logName === undefined) continue;
    if (r.fault === 'corrupt-gzip' || r.fault === 'truncated-gzip' || r.fault === 'no-data-line') continue;
    const { groupId, host } = r;
    const logName = r.logName as LogName;
    visitWindow(world, groupId, host, logName, r.window.startMs, r.window.endMs, r.simMs, r.late, source, (line, chunkStart, index) => {
      const key = `${groupId}|${host}|${logName}|${chunkStart}|${index}`;
      if (!out.has(key)) out.set(key, { ...line, groupId, host, logName, chunkStart, index });
    });
  }
  return out;
}
