import { isAuditEnabled, recordsForProcessChunk } from './activity.ts';
import { renderAuditLine } from './audit-render.ts';
import { chunkMs, chunkPublishedAt, chunksOverlapping } from './chunks.ts';
import { createRng, hashString } from './rng.ts';
import { renderServerLogLines } from './server-log-render.ts';
import { processForLog, type LogName, type World } from './world.ts';

/**
 * The lines of one log file chunk, exactly as the simulator serves them. A configurable fraction
 * is replaced by invalid lines (bad JSON, truncated, invalid UTF-8) so tests know which ones a
 * pipeline must dead-letter. Late-line settings delay some lines' publication.
 */

export type InvalidKind = 'invalid-json' | 'truncated' | 'invalid-utf8';

export type ChunkLine = {
  text: string;
  /** Set for deliberately invalid lines. */
  invalid?: InvalidKind;
  /** The exact bytes when they are not the UTF-8 of `text` (invalid UTF-8). */
  bytes?: Uint8Array;
  /** Event time of the record the line came from. */
  t: number;
};

/** Lines of a chunk published later than the chunk itself: from chunks starting at or after `sinceMs`. */
export type LateLines = { fraction: number; delayMs: number; sinceMs: number; hostnames?: readonly string[] };

const encoder = new TextEncoder();

/** The bytes served for a line (without the newline). */
export function lineBytes(line: ChunkLine): Uint8Array {
  return line.bytes ?? encoder.encode(line.text);
}

/** The NDJSON body of a list of lines: each line's bytes followed by a newline. */
export function encodeLines(lines: readonly ChunkLine[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let run: string[] = [];
  const flush = (): void => {
    if (run.length > 0) parts.push(encoder.encode(`${run.join('\n')}\n`));
    run = [];
  };
  for (const line of lines) {
    if (line.bytes === undefined) run.push(line.text);
    else {
      flush();
      parts.push(line.bytes, encoder.encode('\n'));
    }
  }
  flush();
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function corrupt(text: string, kind: InvalidKind): ChunkLine {
  if (kind === 'truncated') return { text: text.slice(0, Math.max(1, Math.floor(text.length / 2))), invalid: kind, t: 0 };
  if (kind === 'invalid-json') return { text: text.replace(/"atype" ?: ?"/, '"atype" "'), invalid: kind, t: 0 };
  const head = encoder.encode(text.slice(0, 30));
  const tail = encoder.encode(text.slice(30));
  const bytes = new Uint8Array(head.length + 2 + tail.length);
  bytes.set(head, 0);
  bytes.set([0xc3, 0x28], head.length);
  bytes.set(tail, head.length + 2);
  return { text: `${text.slice(0, 30)}\ufffd(${text.slice(30)}`, invalid: kind, bytes, t: 0 };
}

/**
 * Every line of `logName` written by `hostname` in the chunk starting at `chunkStart` (a multiple
 * of 5 minutes), in write order, before publication delays. Unknown project, host or a log the
 * process does not write gives []. Deterministic in (scenario, seed, arguments).
 */
export function linesForHostChunk(world: World, projectId: string, hostname: string, logName: LogName, chunkStart: number): ChunkLine[] {
  const project = world.projectById.get(projectId);
  if (project === undefined) return [];
  const process = processForLog(project, hostname, logName);
  if (process === undefined) return [];
  const audit = logName.endsWith('audit-log');
  const records = recordsForProcessChunk(world, project, process, chunkStart);
  const out: ChunkLine[] = [];
  const hostKey = `${world.seed}|${project.id}|${hostname}|${logName}|${chunkStart}`;
  const legacy = process.version.startsWith('4.');
  const localEndpoint = { ip: process.localIp, port: process.port };
  const authzAudited = project.spec.audit.auditAuthorizationSuccess;
  if (audit) {
    const styleRng = createRng(`style|${hostKey}`);
    for (const r of records) {
      if (r.authzSuccess === true && !authzAudited) continue;
      if (!isAuditEnabled(world, project, r.t)) continue;
      // clientMetadata and logout audit events exist from MongoDB 5.0 on.
      if (legacy && (r.atype === 'clientMetadata' || r.atype === 'logout')) continue;
      out.push({ text: renderAuditLine(r, { spaced: styleRng.chance(0.5), legacy, localEndpoint }), t: r.t });
    }
  } else {
    for (const r of records) for (const text of renderServerLogLines(r)) out.push({ text, t: r.t });
  }
  const fraction = world.scenario.invalidLineFraction;
  if (fraction > 0 && audit) {
    const rng = createRng(`invalid|${hostKey}`);
    const kinds: InvalidKind[] = ['invalid-json', 'truncated', 'invalid-utf8'];
    for (let i = 0; i < out.length; i++) {
      if (!rng.chance(fraction)) continue;
      const line = out[i]!;
      out[i] = { ...corrupt(line.text, rng.pick(kinds)), t: line.t };
    }
  }
  return out;
}

/** Whether the line at `index` of a chunk is held back by the late-line setting (deterministic). */
export function isLateLine(world: World, hostname: string, logName: LogName, chunkStart: number, index: number, late: LateLines | undefined): boolean {
  if (late === undefined || late.fraction <= 0 || chunkStart < late.sinceMs) return false;
  if (late.hostnames !== undefined && !late.hostnames.includes(hostname)) return false;
  return hashString(`late|${world.seed}|${hostname}|${logName}|${chunkStart}|${index}`) / 4294967296 < late.fraction;
}

/** Where chunk lines come from: `linesForHostChunk` itself, or a cache in front of it. */
export type ChunkSource = (world: World, projectId: string, hostname: string, logName: LogName, chunkStart: number) => ChunkLine[];

/** The lines of a chunk visible at `nowMs`: none before it is published, late lines only after their delay. */
export function publishedLinesForHostChunk(world: World, projectId: string, hostname: string, logName: LogName, chunkStart: number, nowMs: number, late?: LateLines, source: ChunkSource = linesForHostChunk): ChunkLine[] {
  const out: ChunkLine[] = [];
  visitPublishedChunk(world, projectId, hostname, logName, chunkStart, nowMs, late, source, (line) => out.push(line));
  return out;
}

function visitPublishedChunk(world: World, projectId: string, hostname: string, logName: LogName, chunkStart: number, nowMs: number, late: LateLines | undefined, source: ChunkSource, visit: (line: ChunkLine, chunkStart: number, index: number) => void): void {
  const publishedAt = chunkPublishedAt(chunkStart, world.scenario.publicationLagSeconds * 1000);
  if (nowMs < publishedAt) return;
  const lines = source(world, projectId, hostname, logName, chunkStart);
  const holdLate = late !== undefined && nowMs < publishedAt + late.delayMs;
  for (let i = 0; i < lines.length; i++) {
    if (holdLate && isLateLine(world, hostname, logName, chunkStart, i, late)) continue;
    visit(lines[i]!, chunkStart, i);
  }
}

/**
 * Calls `visit` for every line a log download for [startMs, endMs] returns at `nowMs`, in
 * order: the published lines of every chunk overlapping the window, whole, oldest first.
 * Each line comes with its chunk start and index in the chunk (its stable identity).
 */
export function visitWindow(world: World, projectId: string, hostname: string, logName: LogName, startMs: number, endMs: number, nowMs: number, late: LateLines | undefined, source: ChunkSource, visit: (line: ChunkLine, chunkStart: number, index: number) => void): void {
  const lastUseful = Math.min(endMs, nowMs, world.endMs);
  for (const c of chunksOverlapping(Math.max(startMs, world.startMs - chunkMs), lastUseful)) visitPublishedChunk(world, projectId, hostname, logName, c, nowMs, late, source, visit);
}

/**
 * What a log download for [startMs, endMs] returns at `nowMs` (see `visitWindow`).
 * Empty = a 0-byte response.
 */
export function linesForWindow(world: World, projectId: string, hostname: string, logName: LogName, startMs: number, endMs: number, nowMs: number, late?: LateLines, source: ChunkSource = linesForHostChunk): ChunkLine[] {
  const out: ChunkLine[] = [];
  visitWindow(world, projectId, hostname, logName, startMs, endMs, nowMs, late, source, (line) => out.push(line));
  return out;
}
