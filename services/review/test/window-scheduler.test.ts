import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@atlas-audit/shared/logger';
import { parseCron } from '../src/core/cron.ts';
import { parseReviewWindow, scheduledWindow } from '../src/core/window.ts';
import { startScheduler } from '../src/scheduler.ts';
import { runReview } from '@atlas-audit/cli/review';

test('review windows: dates are midnights in the zone, --to includes its day, ISO passes through', () => {
  assert.deepEqual(parseReviewWindow('2025-03-10', '2025-03-16', 'UTC'), { ok: true, value: { fromIso: '2025-03-10T00:00:00.000Z', toIso: '2025-03-17T00:00:00.000Z' } });
  assert.deepEqual(parseReviewWindow('2025-03-10', '2025-03-16', 'Europe/Berlin'), { ok: true, value: { fromIso: '2025-03-09T23:00:00.000Z', toIso: '2025-03-16T23:00:00.000Z' } });
  assert.deepEqual(parseReviewWindow('2025-03-10T06:00:00+01:00', '2025-03-10T07:00:00Z', 'UTC'), { ok: true, value: { fromIso: '2025-03-10T05:00:00.000Z', toIso: '2025-03-10T07:00:00.000Z' } });
  for (const [from, to, zone] of [['2025-02-30', '2025-03-01', 'UTC'], ['yesterday', '2025-03-01', 'UTC'], ['2025-03-05', '2025-03-01', 'UTC'], ['2025-03-01', '2025-03-02', 'Mars/Olympus'], ['2025-03-01T00:00:00', '2025-03-02', 'UTC']] as const) {
    assert.equal(parseReviewWindow(from, to, zone).ok, false, `${from} ${to} ${zone}`);
  }
  assert.deepEqual(scheduledWindow(Date.parse('2025-03-10T06:00:20.000Z'), 7), { fromIso: '2025-03-03T06:00:00.000Z', toIso: '2025-03-10T06:00:00.000Z' });
});

test('the scheduler runs every project when the schedule fires, for the window before it', async () => {
  const schedule = parseCron('* * * * *');
  assert.ok(schedule.ok);
  const boundary = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
  const offsetMs = boundary - Date.now() - 150;
  const runs: Array<[string, string, string]> = [];
  let failOnce = true;
  const scheduler = startScheduler({
    schedule: schedule.value,
    timeZone: 'UTC',
    windowDays: 7,
    projects: ['p1', 'p2'],
    log: createLogger({ name: 'test', level: 'silent' }),
    nowMs: () => Date.now() + offsetMs,
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
    run: async (project, window) => {
      if (project === 'p2' && failOnce) {
        failOnce = false;
        throw new Error('transient');
      }
      runs.push([project, window.fromIso, window.toIso]);
    },
  });
  assert.equal(scheduler.nextAt(), boundary);
  const deadline = Date.now() + 20_000;
  while (runs.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await scheduler.stop();
  const to = new Date(boundary).toISOString();
  const from = new Date(boundary - 7 * 86_400_000).toISOString();
  assert.deepEqual(runs, [['p1', from, to], ['p2', from, to]]);
});

test('the review command rejects bad arguments with exit code 2 and prints usage', async () => {
  const out: string[] = [];
  const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), env: { ELASTICSEARCH_URL: 'http://127.0.0.1:9', MONGODB_URI: 'mongodb://127.0.0.1:9' } };
  assert.equal(await runReview(['--project', 'p'], io), 2);
  assert.equal(await runReview(['--bogus'], io), 2);
  assert.equal(await runReview(['--project', 'p', '--from', '2025-03-10', '--to', 'soon'], io), 2);
  assert.equal(await runReview(['--project', 'p', '--from', '2025-03-10', '--to', '2025-03-11', '--tz', 'Nowhere/Land'], io), 2);
  assert.equal(await runReview(['--help'], io), 0);
  assert.ok(out.join('').includes('usage: atlas-audit review'));
});
