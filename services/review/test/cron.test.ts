import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRun, parseCron } from '../src/core/cron.ts';

function next(expr: string, afterIso: string, tz: string): string | undefined {
  const s = parseCron(expr);
  assert.ok(s.ok, s.ok ? '' : s.reason);
  const at = nextRun(s.value, Date.parse(afterIso), tz);
  return at === undefined ? undefined : new Date(at).toISOString();
}

test('next run in UTC for common schedules', () => {
  const cases: Array<[string, string, string]> = [
    ['0 6 * * 1', '2025-03-04T14:07:00.000Z', '2025-03-10T06:00:00.000Z'],
    ['*/15 * * * *', '2025-03-04T14:07:00.000Z', '2025-03-04T14:15:00.000Z'],
    ['0 0 1 * *', '2025-03-04T14:07:00.000Z', '2025-04-01T00:00:00.000Z'],
    ['30 9 * * mon-fri', '2025-03-07T10:00:00.000Z', '2025-03-10T09:30:00.000Z'],
    ['0 12 * jan,jul *', '2025-03-04T00:00:00.000Z', '2025-07-01T12:00:00.000Z'],
    ['0 0 * * 7', '2025-03-04T00:00:00.000Z', '2025-03-09T00:00:00.000Z'],
    ['0 6 * * 1', '2025-03-10T06:00:00.000Z', '2025-03-17T06:00:00.000Z'],
  ];
  for (const [expr, after, expected] of cases) assert.equal(next(expr, after, 'UTC'), expected, expr);
});

test('next run honours the time zone, including DST changes', () => {
  // Monday 06:00 in Berlin: UTC+1 in winter, UTC+2 in summer.
  assert.equal(next('0 6 * * 1', '2025-03-04T00:00:00.000Z', 'Europe/Berlin'), '2025-03-10T05:00:00.000Z');
  assert.equal(next('0 6 * * 1', '2025-07-01T00:00:00.000Z', 'Europe/Berlin'), '2025-07-07T04:00:00.000Z');
  // 02:30 does not exist in New York on 2025-03-09 (spring forward): the next one is the day after.
  assert.equal(next('30 2 * * *', '2025-03-09T05:00:00.000Z', 'America/New_York'), '2025-03-10T06:30:00.000Z');
  // 01:30 happens twice on 2025-11-02 in New York: it fires once, at the first.
  assert.equal(next('30 1 * * *', '2025-11-02T04:00:00.000Z', 'America/New_York'), '2025-11-02T05:30:00.000Z');
  assert.equal(next('30 1 * * *', '2025-11-02T05:30:00.000Z', 'America/New_York'), '2025-11-03T06:30:00.000Z');
});

test('day-of-month and day-of-week together match either (Vixie cron)', () => {
  assert.equal(next('0 0 13 * fri', '2025-03-04T00:00:00.000Z', 'UTC'), '2025-03-07T00:00:00.000Z');
});

test('bad expressions give reasons and impossible ones never fire', () => {
  for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '*/0 * * * *', '* * 0 * *', 'a b c d e']) assert.equal(parseCron(bad).ok, false, bad);
  const feb30 = parseCron('0 0 30 2 *');
  assert.ok(feb30.ok);
  assert.equal(nextRun(feb30.value, Date.parse('2025-01-01T00:00:00Z'), 'UTC', 800), undefined);
});
