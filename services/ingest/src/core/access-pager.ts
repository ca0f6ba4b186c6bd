import { parseAnyTimestamp, parseExtendedDate } from '@atlas-audit/shared/core/timestamp';
import { asObject } from '@atlas-audit/shared/core/normalise/fields';
import type { TimeWindow } from './window.ts';

/**
 * Backward paging of `dbAccessHistory`, which has no page token: results come newest first,
 * at most nLogs per request. After a full page whose oldest entry is at t, the next request
 * ends at t + 1 ms (so the t millisecond is included whether `end` is inclusive or not) and
 * only its entries at or before t are taken, replacing the page's own entries at t. Entries
 * sharing the boundary millisecond are therefore never lost, and never taken twice. Only a
 * full page that is all one millisecond cannot be split further: it is taken as is, paging
 * steps below it and the window is marked truncated.
 */

export type AccessEntry = { entry: unknown; timeMs: number | undefined };

export type AccessPager = {
  window: TimeWindow;
  nLogs: number;
  /** The end parameter of the next request, ms. */
  nextEndMs: number;
  /** Entries at or before this are owned by the next page; undefined before the first page. */
  boundaryMs: number | undefined;
  collected: AccessEntry[];
  /** Entries whose time cannot be read: dead-lettered, kept out of paging. */
  untimed: unknown[];
  pages: number;
  truncated: boolean;
  done: boolean;
};

/** The pager for one window. */
export function startAccessPager(window: TimeWindow, nLogs: number): AccessPager {
  return { window, nLogs, nextEndMs: window.endMs, boundaryMs: undefined, collected: [], untimed: [], pages: 0, truncated: false, done: false };
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

/**
 * Folds one response page (`accessLogs`, newest first) into the pager and decides the next
 * request. Pure: returns a new pager.
 */
export function acceptAccessPage(pager: AccessPager, entries: readonly unknown[]): AccessPager {
  const timed: AccessEntry[] = [];
  const untimed = [...pager.untimed];
  for (const entry of entries) {
    const timeMs = accessEntryTimeMs(entry);
    if (timeMs === undefined) {
      if (pager.boundaryMs === undefined) untimed.push(entry);
    } else timed.push({ entry, timeMs });
  }
  const boundary = pager.boundaryMs;
  const fresh = boundary === undefined ? timed : timed.filter((e) => (e.timeMs as number) <= boundary);
  const kept = boundary === undefined ? pager.collected : pager.collected.filter((e) => (e.timeMs as number) > boundary);
  const pages = pager.pages + 1;
  const full = entries.length >= pager.nLogs;
  if (!full || fresh.length === 0) {
    return { ...pager, collected: [...kept, ...fresh], untimed, pages, done: true };
  }
  const oldest = Math.min(...fresh.map((e) => e.timeMs as number));
  if (boundary !== undefined && oldest >= boundary) {
    // A full page inside one millisecond: take it and step below that millisecond.
    return { ...pager, collected: [...kept, ...fresh], untimed, pages, truncated: true, boundaryMs: oldest - 1, nextEndMs: oldest - 1, done: oldest - 1 < pager.window.startMs };
  }
  if (oldest < pager.window.startMs) return { ...pager, collected: [...kept, ...fresh], untimed, pages, done: true };
  return { ...pager, collected: [...kept, ...fresh], untimed, pages, boundaryMs: oldest, nextEndMs: oldest + 1, done: false };
}
