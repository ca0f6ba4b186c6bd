/**
 * Wall-clock time in IANA time zones, computed with Intl (DST handled by the runtime's tz data).
 * Pure: the instant is always passed in. Shared by the detection rules (business hours) and the
 * access review (cron schedules, review windows).
 */
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

// Since 1973 every zone's UTC offset is a whole number of minutes (Liberia's -0:44:30 ended in
// 1972), so every instant of one UTC minute shows the same local minute: the answer can be kept
// per (zone, UTC minute). Formatting costs microseconds, and a burst of events shares its minutes.
const WHOLE_MINUTE_OFFSETS_FROM_MS = Date.UTC(1973, 0, 1);
const CACHE_MINUTES = 4096;
const localMinutes = new Map<string, Map<number, Readonly<LocalTime>>>();

/**
 * Local date, weekday and minute of day of `epochMs` in `timeZone` (DST handled by Intl).
 * Throws RangeError on an unknown zone: callers validate zones in config first. The result is
 * frozen (it may be shared by every caller asking about the same minute).
 */
export function localTimeOf(epochMs: number, timeZone: string): Readonly<LocalTime> {
  if (!(epochMs >= WHOLE_MINUTE_OFFSETS_FROM_MS)) return formatLocalTime(epochMs, timeZone);
  let cache = localMinutes.get(timeZone);
  if (cache === undefined) {
    cache = new Map();
    localMinutes.set(timeZone, cache);
  }
  const minute = Math.floor(epochMs / 60_000);
  let local = cache.get(minute);
  if (local === undefined) {
    local = Object.freeze(formatLocalTime(minute * 60_000, timeZone));
    if (cache.size >= CACHE_MINUTES) cache.clear();
    cache.set(minute, local);
  }
  return local;
}

function formatLocalTime(epochMs: number, timeZone: string): LocalTime {
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

/** Wall-clock parts of an instant (month 1–12, weekday 0 = Sunday). */
export type LocalParts = { year: number; month: number; day: number; hour: number; minute: number; weekday: number };

/** The wall-clock parts of an instant in `timeZone` (month 1–12, weekday 0 = Sunday). */
export function localPartsOf(instantMs: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatterOf(timeZone).formatToParts(new Date(instantMs))) parts[p.type] = p.value;
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    weekday: weekdays[parts['weekday'] ?? 'Sun'] ?? 0,
  };
}

function offsetMsAt(instantMs: number, timeZone: string): number {
  const p = localPartsOf(instantMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - Math.floor(instantMs / 60_000) * 60_000;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given minute, or undefined when
 * that minute does not exist (skipped by a DST change). In a repeated hour, the first one.
 */
export function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number | undefined {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const candidates = [guess - offsetMsAt(guess - 86_400_000 / 2, timeZone), guess - offsetMsAt(guess, timeZone), guess - offsetMsAt(guess + 86_400_000 / 2, timeZone)];
  const matches = candidates.filter((t) => {
    const p = localPartsOf(t, timeZone);
    return p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute;
  });
  return matches.length === 0 ? undefined : Math.min(...matches);
}
