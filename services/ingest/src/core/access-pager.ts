import { parseAnyTimestamp, parseExtendedDate } from '@atlas-audit/shared/core/timestamp';
import { asObject } from '@atlas-audit/shared/core/normalise/fields';
import type { TimeWindow } from './window.ts';

/**
 * Backward paging of `dbAccessHistory`, which has no page token: results come newest first,
 * at most nLogs per request. After a full page whose oldest entry is at t, the next request
 * must return *all* entries at t (the page may have held only some of them) and older ones.
 * Whether `end` is inclusive is undocumented, so the first boundary request asks for end = t
 * and looks: entries at t in the answer mean inclusive (keep using end = t); none means
 * exclusive (ask again with end = t + 1 from then on). The next page's entries at t replace
 * the previous page's, so entries sharing the boundary millisecond are never lost and never
 * taken twice. Only a full page that is all one millisecond cannot be split further: it is
 * taken as is, paging steps below it and the window is marked truncated.
 */

export type AccessEntry = { entry: unknown; timeMs: number | undefined };

export type EndSemantics = 'unknown' | 'inclusive' | 'exclusive';

export type AccessPager = {
  window: TimeWindow;
  nLogs: number;
  /** The end parameter of the next request, ms. */
  nextEndMs: number;
  /** Entries at or before this are owned by the next page; undefined before the first page. */
  boundaryMs: number | undefined;
  /** Whether the API's `end` includes its millisecond, learnt at the first page boundary. */
  endSemantics: EndSemantics;
  collected: AccessEntry[];
  /** Entries whose time cannot be read: dead-lettered, kept out of paging. */
  untimed: unknown[];
  pages: number;
  truncated: boolean;
  done: boolean;
};

/** The pager for one window. */
export function startAccessPager(window: TimeWindow, nLogs: number): AccessPager {
  return { window, nLogs, nextEndMs: window.endMs, boundaryMs: undefined, endSemantics: 'unknown', collected: [], untimed: [], pages: 0, truncated: false, done: false };
}
/** The time of an entry in ms: `logLine.t.$date` when it parses, else `timestamp` (ISO or Java date). */
export function accessEntryTimeMs(entry: unknown): number | undefined {
  const obj = asObject(entry);
  if (obj === undefined) return undefined;
  const logLine = obj['logLine'];
  if (typeof logLine === 'string') {
    try {
      const parsed = parseExtendedDate(asObject(asObject(JSON.parse(logLine))?.['t'])?.['$date'] ?? asObject(JSON.parse(logLine))?.['t']);
      if (parsed.ok) return Date.parse(parsed.value);
    } catch {
      // fall through to the timestamp field
    }
  }
  const text = obj['timestamp'];
  if (typeof text !== 'string') return undefined;
  const parsed = parseAnyTimestamp(text);
  return parsed.ok ? Date.parse(parsed.value) : undefined;
}

/** The end parameter that returns every entry at or before `ms`. */
function endFor(ms: number, semantics: EndSemantics): number {
  return semantics === 'exclusive' ? ms + 1 : ms;
}

/**
 * Folds one response page (`accessLogs`, newest first) into the pager and decides the next
 * request. Pure: returns a new pager.
 */
export function acceptAccessPage(pager: AccessPager, entries: readonly unknown[]): AccessPager {
  const timed: AccessEntry[] = [];
  const untimed: unknown[] = [];
  for (const entry of entries) {
    const timeMs = accessEntryTimeMs(entry);
    if (timeMs === undefined) untimed.push(entry);
    else timed.push({ entry, timeMs });
  }
  const pages = pager.pages + 1;
  const boundary = pager.boundaryMs;
  let semantics = pager.endSemantics;
  if (boundary !== undefined && semantics === 'unknown') {
    // This answer was for end = boundary: it holds the boundary millisecond only if end is inclusive.
    if (timed.some((e) => e.timeMs === boundary)) semantics = 'inclusive';
    else return { ...pager, pages, endSemantics: 'exclusive', nextEndMs: endFor(boundary, 'exclusive') };
  }
  const fresh = boundary === undefined ? timed : timed.filter((e) => (e.timeMs as number) <= boundary);
  const kept = boundary === undefined ? pager.collected : pager.collected.filter((e) => (e.timeMs as number) > boundary);
  const collected = [...kept, ...fresh];
  // Untimed entries are identified by content later; only the first page's are kept (they repeat).
  const allUntimed = boundary === undefined ? untimed : pager.untimed;
  const base = { ...pager, collected, untimed: allUntimed, pages, endSemantics: semantics };
  if (entries.length < pager.nLogs || fresh.length === 0) return { ...base, done: true };
  const oldest = Math.min(...fresh.map((e) => e.timeMs as number));
  if (oldest < pager.window.startMs) return { ...base, done: true };
  if (boundary !== undefined && oldest >= boundary) {
    // A full page inside one millisecond: take it as is and step below that millisecond.
    const below = oldest - 1;
    return { ...base, truncated: true, boundaryMs: below, nextEndMs: endFor(below, semantics === 'unknown' ? 'inclusive' : semantics), done: below < pager.window.startMs };
  }
  return { ...base, boundaryMs: oldest, nextEndMs: endFor(oldest, semantics), done: false };
}
