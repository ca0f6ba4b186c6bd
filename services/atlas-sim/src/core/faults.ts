/**
 * Fault switches: conditions under which a request is answered badly instead of normally.
 * A fault matches on endpoint set, project, host and log name (each optional) and stays
 * active for a number of requests and/or until a real-time deadline. Pure: state in, state out.
 */

export type FaultAction =
  | { kind: 'http-error'; status: number; errorCode?: string }
  | { kind: 'stall'; stallMs: number }
  | { kind: 'reset' }
  | { kind: 'corrupt-gzip' }
  | { kind: 'truncated-gzip' }
  /** A gzip body holding only Atlas' "No data for given time period or host is unreachable" line. */
  | { kind: 'no-data-line' }
  | { kind: 'rate-limit-no-retry-after' };

export type FaultMatch = { endpoint?: string; groupId?: string; host?: string; logName?: string };

export type FaultSpec = FaultAction & FaultMatch & {
  /** Answer this many matching requests badly, then stop (absent = unlimited). */
  count?: number;
  /** Real-time instant (ms) after which the fault is over (absent = no deadline). */
  untilMs?: number;
};

export type Fault = FaultSpec & { id: string; hits: number };

export type RequestFacts = { endpoint: string; groupId?: string; host?: string; logName?: string };

function matches(fault: Fault, facts: RequestFacts, nowMs: number): boolean {
  if (fault.untilMs !== undefined && nowMs >= fault.untilMs) return false;
  if (fault.count !== undefined && fault.hits >= fault.count) return false;
  if (fault.endpoint !== undefined && fault.endpoint !== facts.endpoint) return false;
  if (fault.groupId !== undefined && fault.groupId !== facts.groupId) return false;
  if (fault.host !== undefined && fault.host !== facts.host) return false;
  if (fault.logName !== undefined && fault.logName !== facts.logName) return false;
  return true;
}

/** The first active fault matching the request, and the fault list with its hit counted. */
export function applyFault(faults: readonly Fault[], facts: RequestFacts, nowMs: number): { fault: Fault | undefined; faults: Fault[] } {
  const index = faults.findIndex((f) => matches(f, facts, nowMs));
  if (index < 0) return { fault: undefined, faults: [...faults] };
  const hit = { ...faults[index]!, hits: faults[index]!.hits + 1 };
  const next = [...faults];
  next[index] = hit;
  return { fault: hit, faults: next };
}

/** Faults that can still fire at `nowMs`. */
export function activeFaults(faults: readonly Fault[], nowMs: number): Fault[] {
  return faults.filter((f) => (f.untilMs === undefined || nowMs < f.untilMs) && (f.count === undefined || f.hits < f.count));
}
