/** Local calendar parts of an instant in an IANA time zone. */
export type LocalTime = {
  /** Local date as YYYY-MM-DD. */
  date: string;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
};

const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `timeZone` is an IANA zone name the runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Local date, weekday and minute of day of `epochMs` in `timeZone` (DST handled by Intl).
 * Throws RangeError on an unknown zone: callers validate zones in config first.
 */
export function localTimeOf(epochMs: number, timeZone: string): LocalTime {
  const parts = formatterOf(timeZone).formatToParts(epochMs);
  let year = '';
  let month = '';
  let day = '';
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of parts) {
    switch (part.type) {
      case 'year': year = part.value; break;
      case 'month': month = part.value; break;
      case 'day': day = part.value; break;
      case 'weekday': weekday = weekdays[part.value] ?? 0; break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      default: break;
    }
  }
  return { date: `${year}-${month}-${day}`, weekday, minuteOfDay: hour * 60 + minute };
}
