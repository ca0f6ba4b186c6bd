import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConsumerRestarter } from '../src/consumer-restart.ts';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a stopped consumer is started again after the backoff; a failed start counts as another stop', async () => {
  const starts: number[] = [];
  const restarts: Array<[number, number]> = [];
  const crashes: unknown[] = [];
  let failFirst = true;
  const restarter = createConsumerRestarter({
    maxInARow: 5,
    delayMs: (attempt) => attempt * 10,
    start: async () => {
      starts.push(Date.now());
      if (failFirst) {
        failFirst = false;
        throw new Error('connection refused');
      }
    },
    crash: (cause) => crashes.push(cause),
    onRestart: (_cause, attempt, delayMs) => restarts.push([attempt, delayMs]),
  });
  restarter.stopped(new Error('Failed to find group coordinator'));
  await tick(60);
  assert.equal(starts.length, 2, 'started, failed to connect, started again');
  assert.deepEqual(restarts, [
    [1, 10],
    [2, 20],
  ]);
  assert.deepEqual(crashes, []);
});

test('restarts with no batch handled in between end in a crash after the budget; a handled batch resets the count', async () => {
  let starts = 0;
  const crashes: string[] = [];
  const restarter = createConsumerRestarter({ maxInARow: 3, delayMs: () => 1, start: async () => void (starts += 1), crash: (cause) => crashes.push(String(cause)) });
  for (let i = 0; i < 3; i++) {
    restarter.stopped(new Error(`stop ${i}`));
    await tick(10);
  }
  assert.equal(starts, 3);
  assert.deepEqual(crashes, []);
  restarter.progressed();
  for (let i = 3; i < 6; i++) {
    restarter.stopped(new Error(`stop ${i}`));
    await tick(10);
  }
  assert.equal(starts, 6, 'the handled batch gave a fresh budget');
  assert.deepEqual(crashes, []);
  restarter.stopped(new Error('stop 6'));
  await tick(10);
  assert.equal(starts, 6, 'no start past the budget');
  assert.deepEqual(crashes, ['Error: stop 6']);
});

test('after cancel (shutdown) a scheduled start never happens and later stops are ignored', async () => {
  let starts = 0;
  const crashes: unknown[] = [];
  const restarter = createConsumerRestarter({ maxInARow: 3, delayMs: () => 20, start: async () => void (starts += 1), crash: (cause) => crashes.push(cause) });
  restarter.stopped(new Error('stop'));
  restarter.cancel();
  restarter.stopped(new Error('stop again'));
  await tick(50);
  assert.equal(starts, 0);
  assert.deepEqual(crashes, []);
});

test('a stop after a quiet period counts as the first again', async () => {
  let clock = 0;
  let starts = 0;
  const crashes: unknown[] = [];
  const restarter = createConsumerRestarter({ maxInARow: 1, delayMs: () => 1, quietResetMs: 1_000, now: () => clock, start: async () => void (starts += 1), crash: (cause) => crashes.push(cause) });
  restarter.stopped(new Error('broker restart 1'));
  await tick(10);
  clock = 500;
  restarter.stopped(new Error('the same again, soon'));
  assert.equal(crashes.length, 1, 'within the quiet period: past the budget of 1');
  const fresh = createConsumerRestarter({ maxInARow: 1, delayMs: () => 1, quietResetMs: 1_000, now: () => clock, start: async () => void (starts += 1), crash: (cause) => crashes.push(cause) });
  clock = 0;
  fresh.stopped(new Error('broker restart 1'));
  await tick(10);
  clock = 2_000;
  fresh.stopped(new Error('broker restart 2, much later'));
  await tick(10);
  assert.equal(crashes.length, 1, 'after the quiet period: a fresh budget');
  assert.equal(starts, 3);
});
