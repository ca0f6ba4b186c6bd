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
  if (isSuppressed(state, ruleId, subject, timeMs, suppressionMs)) return undefined;
  state.set(NS, `${ruleId}|${subject}`, timeMs);
  return timeMs;
}

/**
 * Whether a finding for (rule, subject) at `timeMs` would be suppressed by openWindow, without
 * opening a window: a rule asks it before the costly part of a finding (the evidence of a burst
 * it has already alerted on), with exactly the answer openWindow would give.
 */
export function isSuppressed(state: StatePort, ruleId: string, subject: string, timeMs: number, suppressionMs: number): boolean {
  const latest = state.get<number>(NS, `${ruleId}|${subject}`);
  return latest !== undefined && timeMs < latest + Math.max(suppressionMs, 1);
}
