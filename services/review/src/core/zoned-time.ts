/**
 * Wall-clock time in an IANA time zone, computed with Intl (pure: time is always passed in).
 */
export type LocalParts = { year: number; month: number; day: number; hour: number; minute: number; weekday: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
const weekdays: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is a time zone name Intl knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

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
