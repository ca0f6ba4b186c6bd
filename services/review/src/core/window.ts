import { fail, ok, type Result } from '@atlas-audit/shared/result';
import { isValidTimeZone, zonedToUtc } from '@atlas-audit/shared/core/zoned-time';

export type ReviewWindow = { fromIso: string; toIso: string };

function instantOf(text: string, timeZone: string, endOfDay: boolean): number | undefined {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day !== null) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const date = new Date(Date.UTC(y, m - 1, d + (endOfDay ? 1 : 0)));
    if (date.getUTCFullYear() !== y && !endOfDay) return undefined;
    if (!endOfDay && (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)) return undefined;
    return zonedToUtc(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), 0, 0, timeZone);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The review window of `--from`/`--to`: a date (`2025-03-03`) means midnight in `timeZone`, and a
 * `--to` date includes that whole day; full ISO timestamps with an offset are taken as they are.
 * The end is exclusive. Bad dates, an unknown zone, or from ≥ to give a reason.
 */
export function parseReviewWindow(from: string, to: string, timeZone: string): Result<ReviewWindow> {
  if (!isValidTimeZone(timeZone)) return fail(`unknown time zone '${timeZone}'`);
  const fromMs = instantOf(from, timeZone, false);
  const toMs = instantOf(to, timeZone, true);
  if (fromMs === undefined) return fail(`--from '${from}' is not a date (YYYY-MM-DD) or ISO timestamp with offset`);
  if (toMs === undefined) return fail(`--to '${to}' is not a date (YYYY-MM-DD) or ISO timestamp with offset`);
  if (fromMs >= toMs) return fail('--from must be before --to');
  return ok({ fromIso: new Date(fromMs).toISOString(), toIso: new Date(toMs).toISOString() });
}

/** The window a scheduled run at `firedAtMs` covers: the `windowDays` days before it. */
export function scheduledWindow(firedAtMs: number, windowDays: number): ReviewWindow {
  const toMs = Math.floor(firedAtMs / 60_000) * 60_000;
  return { fromIso: new Date(toMs - windowDays * 86_400_000).toISOString(), toIso: new Date(toMs).toISOString() };
}
