import { fail, ok, type Result } from '@atlas-audit/shared/result';

/**
 * Relative times in scenario files, so a demo on the real clock always has a recent past:
 * `start: now-7d` (resolved against the simulator's clock at start-up, rounded down to UTC
 * midnight) and attack times `at: start+2d2h17m`. Absolute ISO instants pass through untouched.
 */

const dayMs = 86_400_000;
const nowPattern = /^now-(?:(\d+)d)?(?:(\d+)h)?$/;
const startPattern = /^start\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

function amount(m: RegExpExecArray, index: number): number {
  return Number(m[index] ?? 0);
}

/**
 * Replaces relative `start` and `attacks[].at` values of a parsed scenario document with ISO
 * instants, given the simulated now. Anything else is returned unchanged; a malformed relative
 * value is a failed Result naming it.
 */
export function resolveRelativeTimes(input: unknown, nowMs: number): Result<unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return ok(input);
  const doc = { ...(input as Record<string, unknown>) };
  let startMs: number | undefined;
  if (typeof doc['start'] === 'string') {
    const text = doc['start'];
    if (text.startsWith('now')) {
      const m = nowPattern.exec(text);
      if (m === null || (m[1] === undefined && m[2] === undefined)) return fail(`start: ${text} is not now-<days>d<hours>h`);
      startMs = Math.floor((nowMs - amount(m, 1) * dayMs - amount(m, 2) * 3_600_000) / dayMs) * dayMs;
      doc['start'] = new Date(startMs).toISOString();
    } else startMs = Date.parse(text);
  }
  if (Array.isArray(doc['attacks'])) {
    const attacks: unknown[] = [];
    for (const [i, raw] of (doc['attacks'] as unknown[]).entries()) {
      const attack = raw !== null && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : raw;
      const at = (attack as Record<string, unknown> | null)?.['at'];
      if (typeof at === 'string' && at.startsWith('start')) {
        const m = startPattern.exec(at);
        if (m === null) return fail(`attacks.${i}.at: ${at} is not start+<d>d<h>h<m>m<s>s`);
        if (startMs === undefined || Number.isNaN(startMs)) return fail(`attacks.${i}.at: relative to a missing or invalid start`);
        (attack as Record<string, unknown>)['at'] = new Date(startMs + amount(m, 1) * dayMs + amount(m, 2) * 3_600_000 + amount(m, 3) * 60_000 + amount(m, 4) * 1000).toISOString();
      }
      attacks.push(attack);
    }
    doc['attacks'] = attacks;
  }
  return ok(doc);
}
