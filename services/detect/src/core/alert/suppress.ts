import type { StatePort } from '../state/port.ts';

const NS = 'suppress';
const KEEP_WINDOWS = 16;

/**
 * Suppression per (rule, subject): a finding opens a window [t, t + suppressionMs); later findings
 * for the same subject inside any of the recent windows (or less than suppressionMs before one,
 * for late events) are suppressed. Returns the start of a new window, or undefined when
 * suppressed. Idempotent: replaying a finding at the same event time is always suppressed.
 */
export function openWindow(state: StatePort, ruleId: string, subject: string, timeMs: number, suppressionMs: number): number | undefined {
  const key = `${ruleId}|${subject}`;
  const starts = state.get<number[]>(NS, key) ?? [];
  for (const start of starts) {
    if (timeMs === start || (timeMs > start - suppressionMs && timeMs < start + suppressionMs)) return undefined;
  }
  const next = [...starts, timeMs].sort((a, b) => a - b).slice(-KEEP_WINDOWS);
  state.set(NS, key, next);
  return timeMs;
}
