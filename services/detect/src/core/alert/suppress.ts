import type { StatePort } from '../state/port.ts';

const NS = 'suppress';

/**
 * Suppression per (rule, subject): a finding opens a window [t, t + suppressionMs); a later finding
 * for the same subject before the window ends is suppressed, and so is any finding older than the
 * latest window (a replay, or a late event about a subject already alerted on later). Returns the
 * start of a new window, or undefined when suppressed. O(1) state per subject; idempotent: a
 * replayed finding is always suppressed.
 */
export function openWindow(state: StatePort, ruleId: string, subject: string, timeMs: number, suppressionMs: number): number | undefined {
  const key = `${ruleId}|${subject}`;
  const latest = state.get<number>(NS, key);
  if (latest !== undefined && timeMs < latest + Math.max(suppressionMs, 1)) return undefined;
  state.set(NS, key, timeMs);
  return timeMs;
}
