/** What a file's events span in event time, for the summary. */
export type TimeSpan = {
  first: string;
  last: string;
  /** The longest stretch without an audit event, and the event it follows (at least two audit events). */
  silence?: { ms: number; after: string };
};

/**
 * Tracks the event times of one file: the earliest and latest `@timestamp` of all its events,
 * and, over its audit events, the longest gap between consecutive ones in time order (lines are
 * nearly but not strictly chronological, so the times are sorted at the end: 8 bytes per
 * event). On Atlas the monitoring and automation agents connect every few seconds, so a long
 * silence in an audit log means auditing stopped, a filter started dropping everything, or the
 * host was down; unless the filter excludes the agents, when a quiet night is just quiet.
 */
export function createTimeSpan(): { add(timestamp: string, audit: boolean): void; result(): TimeSpan | undefined } {
  let first: string | undefined;
  let last: string | undefined;
  let times = new Float64Array(1024);
  let count = 0;
  return {
    add(timestamp, audit) {
      // ISO UTC with milliseconds (the schema's form) orders as the times do.
      if (first === undefined || timestamp < first) first = timestamp;
      if (last === undefined || timestamp > last) last = timestamp;
      if (!audit) return;
      if (count === times.length) {
        const grown = new Float64Array(times.length * 2);
        grown.set(times);
        times = grown;
      }
      times[count++] = Date.parse(timestamp);
    },
    result() {
      if (first === undefined || last === undefined) return undefined;
      if (count < 2) return { first, last };
      const sorted = times.subarray(0, count).sort();
      let ms = -1;
      let after = 0;
      for (let i = 1; i < count; i++) {
        const gap = (sorted[i] as number) - (sorted[i - 1] as number);
        if (gap > ms) {
          ms = gap;
          after = sorted[i - 1] as number;
        }
      }
      return { first, last, silence: { ms, after: new Date(after).toISOString() } };
    },
  };
}

/** A duration for people: `950 ms`, `42 s`, `12 min 3 s`, `5 h 7 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
