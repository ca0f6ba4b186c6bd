import { localTimeOf, type LocalTime } from '@atlas-audit/shared/core/zoned-time';

export const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type DayName = (typeof dayNames)[number];

/** Business hours of one calendar: working days, a daily [start, end) window and holidays, in one zone. */
export type BusinessCalendar = {
  timeZone: string;
  days: readonly DayName[];
  /** HH:MM local, inclusive. */
  start: string;
  /** HH:MM local, exclusive; an end before start spans midnight. */
  end: string;
  /** Local dates YYYY-MM-DD that are not working days. */
  holidays: readonly string[];
};

/** Minutes since midnight of an HH:MM string (validated by the config schema). */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

export type BusinessHoursVerdict = { inside: boolean; local: LocalTime; why: string };

/**
 * Decides whether `epochMs` falls in the calendar's business hours, judged in its zone at that
 * instant (so DST shifts move the UTC window). Returns the local time and a short reason.
 */
export function judgeBusinessHours(epochMs: number, calendar: BusinessCalendar): BusinessHoursVerdict {
  const local = localTimeOf(epochMs, calendar.timeZone);
  if (calendar.holidays.includes(local.date)) return { inside: false, local, why: `holiday ${local.date}` };
  const dayName = dayNames[local.weekday] ?? 'sun';
  if (!calendar.days.includes(dayName)) return { inside: false, local, why: `non-working day (${dayName})` };
  const start = minutesOf(calendar.start);
  const end = minutesOf(calendar.end);
  const m = local.minuteOfDay;
  const inside = start <= end ? m >= start && m < end : m >= start || m < end;
  return { inside, local, why: inside ? 'within business hours' : `outside ${calendar.start}–${calendar.end}` };
}

/** HH:MM of a minute-of-day. */
export function formatMinuteOfDay(minuteOfDay: number): string {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
