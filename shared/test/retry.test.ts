import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withDeadline } from '../src/retry.ts';

test('withDeadline: a call that never settles is rejected with the timeout error after the deadline', async () => {
  let timedOut = 0;
  const started = Date.now();
  await assert.rejects(
    withDeadline(new Promise<never>(() => undefined), 50, () => {
      timedOut += 1;
      return new Error('gave up');
    }),
    /gave up/,
  );
  assert.equal(timedOut, 1);
  assert.ok(Date.now() - started >= 45, 'not before the deadline');
});

test('withDeadline: a call that settles in time keeps its value or its error, and the timeout never fires', async () => {
  let timedOut = 0;
  const onTimeout = (): Error => {
    timedOut += 1;
    return new Error('gave up');
  };
  assert.equal(await withDeadline(Promise.resolve(7), 50, onTimeout), 7);
  await assert.rejects(withDeadline(Promise.reject(new Error('own failure')), 50, onTimeout), /own failure/);
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(timedOut, 0);
});
