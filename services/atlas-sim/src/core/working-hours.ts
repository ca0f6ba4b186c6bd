import type { ScenarioUser } from './scenario.ts';

/**
 * Local wall-clock time in a user's time zone, to decide whether they are at work. Formatters
 * and results are memoised per (zone, hour): a pure cache, since the answer never changes.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const memo = new Map<string, { weekday: number; hour: number }>();
const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** ISO weekday (1 = Monday) and hour (0–23) of the instant `ms` in `timeZone`. */
export function localWeekdayHour(timeZone: string, ms: number): { weekday: number; hour: number } {
  const key = `${timeZone}|${Math.floor(ms / 900000)}`;
  const cached = memo.get(key);
  if (cached !== undefined) return cached;
  let fmt = formatters.get(timeZone);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
    formatters.set(timeZone, fmt);
  }
  let weekday = 1;
  let hour = 0;
  for (const part of fmt.formatToParts(new Date(ms))) {
    if (part.type === 'weekday') weekday = weekdays[part.value] ?? 1;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
  }
  const value = { weekday, hour };
  if (memo.size > 100000) memo.clear();
  memo.set(key, value);
  return value;
}

/** Whether `ms` falls inside the user's working hours in the user's time zone. */
export function isWorkingTime(user: ScenarioUser, ms: number): boolean {
  if (user.workingHours === 'always') return true;
  const { weekday, hour } = localWeekdayHour(user.timeZone, ms);
  return user.workingHours.days.includes(weekday) && hour >= user.workingHours.fromHour && hour < user.workingHours.toHour;
}
