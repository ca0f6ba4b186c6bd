import { fail, ok, type Result } from '@atlas-audit/shared/result';
import { localPartsOf, zonedToUtc } from '@atlas-audit/shared/core/zoned-time';

/** A parsed 5-field cron expression (minute hour day-of-month month day-of-week). */
export type CronSchedule = {
  minutes: readonly number[];
  hours: readonly number[];
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Vixie cron: when both day fields are restricted, a day matches if either does. */
  dayRestricted: boolean;
  weekdayRestricted: boolean;
};

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function parseValue(text: string, names: readonly string[] | undefined, nameBase: number): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = names?.indexOf(text.toLowerCase()) ?? -1;
  return index === -1 ? undefined : index + nameBase;
}

function parseField(text: string, min: number, max: number, names?: readonly string[], nameBase = 0): Result<number[]> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) return fail(`bad step in '${part}'`);
    let lo: number | undefined;
    let hi: number | undefined;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [lo, hi] = [parseValue(a, names, nameBase), parseValue(b, names, nameBase)];
    } else {
      lo = parseValue(range, names, nameBase);
      hi = stepText === undefined ? lo : max;
    }
    if (lo === undefined || hi === undefined || lo < min || hi > max || lo > hi) return fail(`'${part}' is outside ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return ok([...values].sort((a, b) => a - b));
}

/** Parses `min hour dom month dow` (lists, ranges, steps, month/day names; dow 0 or 7 = Sunday). Bad input → reason. */
export function parseCron(expression: string): Result<CronSchedule> {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return fail(`cron expression needs 5 fields, got ${fields.length}`);
  const [m, h, dom, mon, dow] = fields as [string, string, string, string, string];
  const parsed = [parseField(m, 0, 59), parseField(h, 0, 23), parseField(dom, 1, 31), parseField(mon, 1, 12, monthNames, 1), parseField(dow, 0, 7, dayNames, 0)];
  const names = ['minute', 'hour', 'day of month', 'month', 'day of week'];
  const problems = parsed.flatMap((r, i) => (r.ok ? [] : [`${names[i]}: ${r.reason}`]));
  if (problems.length > 0) return fail(problems.join('; '));
  const [minutes, hours, days, months, weekdays] = parsed.map((r) => (r.ok ? r.value : [])) as [number[], number[], number[], number[], number[]];
  return ok({
    minutes,
    hours,
    days: new Set(days),
    months: new Set(months),
    weekdays: new Set(weekdays.map((d) => (d === 7 ? 0 : d))),
    dayRestricted: dom !== '*',
    weekdayRestricted: dow !== '*',
  });
}

function dayMatches(s: CronSchedule, day: number, month: number, weekday: number): boolean {
  if (!s.months.has(month)) return false;
  const byDay = s.days.has(day);
  const byWeekday = s.weekdays.has(weekday);
  if (s.dayRestricted && s.weekdayRestricted) return byDay || byWeekday;
  return byDay && byWeekday;
}

/**
 * The first instant strictly after `afterMs` at which the schedule fires in `timeZone`, or
 * undefined when none within `horizonDays` (e.g. `0 0 30 2 *`). Minutes skipped by a DST jump
 * do not fire; a repeated hour fires once.
 */
export function nextRun(schedule: CronSchedule, afterMs: number, timeZone: string, horizonDays = 366 * 5): number | undefined {
  const start = localPartsOf(afterMs, timeZone);
  const startDay = Date.UTC(start.year, start.month - 1, start.day);
  for (let d = 0; d <= horizonDays; d++) {
    const date = new Date(startDay + d * 86_400_000);
    const [year, month, day, weekday] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay()];
    if (!dayMatches(schedule, day, month, weekday)) continue;
    for (const hour of schedule.hours) {
      for (const minute of schedule.minutes) {
        const at = zonedToUtc(year, month, day, hour, minute, timeZone);
        if (at !== undefined && at > afterMs) return at;
      }
    }
  }
  return undefined;
}
