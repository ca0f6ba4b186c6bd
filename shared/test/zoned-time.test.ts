import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { localTimeOf } from '../src/core/zoned-time.ts';

const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Africa/Monrovia', 'Pacific/Chatham'];

/** The reference: Intl formatting of the exact instant, no cache. */
function reference(epochMs: number, timeZone: string): { date: string; weekday: number; minuteOfDay: number } {
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit' }).formatToParts(epochMs)) parts[p.type] = p.value;
  return { date: `${parts['year']}-${parts['month']}-${parts['day']}`, weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts['weekday'] ?? ''), minuteOfDay: Number(parts['hour']) * 60 + Number(parts['minute']) };
}

test('localTimeOf (kept per UTC minute) equals formatting the exact instant, in any zone, DST changes and pre-1973 offsets included (property)', () => {
  // Instants from 1960 (Monrovia's -0:44:30 offset) to 2040, and seconds around DST changes of 2025.
  const instant = fc.oneof(
    fc.integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(2040, 0, 1) }),
    fc.constantFrom(Date.UTC(2025, 2, 30, 1), Date.UTC(2025, 9, 26, 1), Date.UTC(2025, 2, 9, 7), Date.UTC(2025, 10, 2, 6), Date.UTC(2025, 3, 5, 15)).chain((t) => fc.integer({ min: t - 120_000, max: t + 120_000 })),
  );
  fc.assert(fc.property(instant, fc.constantFrom(...zones), (t, zone) => {
    // Ask twice, and about another instant of the same minute first, so the kept answer is what is compared.
    localTimeOf(Math.floor(t / 60_000) * 60_000 + 59_999, zone);
    assert.deepEqual({ ...localTimeOf(t, zone) }, reference(t, zone));
    assert.deepEqual({ ...localTimeOf(t, zone) }, reference(t, zone));
  }), { numRuns: 3000 });
});

test('localTimeOf: Monrovia in 1971 (offset -0:44:30) is formatted per instant, not per minute', () => {
  const t = Date.UTC(1971, 5, 1, 12, 0, 0);
  assert.equal(localTimeOf(t, 'Africa/Monrovia').minuteOfDay, reference(t, 'Africa/Monrovia').minuteOfDay);
  assert.equal(localTimeOf(t + 45_000, 'Africa/Monrovia').minuteOfDay, reference(t + 45_000, 'Africa/Monrovia').minuteOfDay);
  assert.notEqual(reference(t, 'Africa/Monrovia').minuteOfDay, reference(t + 45_000, 'Africa/Monrovia').minuteOfDay);
});

test('localTimeOf results are frozen (shared between callers)', () => {
  assert.ok(Object.isFrozen(localTimeOf(Date.UTC(2025, 2, 4, 9), 'Europe/Berlin')));
});
