import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addAttempt, densestAround, type Attempt, type Attempts } from '../src/core/lib/event-window.ts';

const W = 10;
const key = (a: Attempt) => a[1];

/** The definition: most distinct keys in any window [s, s + W) with s <= t < s + W, over every integer start. */
function naive(list: Attempts, t: number): number {
  let best = 0;
  for (let s = t - W + 1; s <= t; s++) best = Math.max(best, new Set(list.filter((e) => e[0] >= s && e[0] < s + W).map(key)).size);
  return best;
}

test('densestAround equals the definition for any attempts and any event time', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'))), fc.integer({ min: 0, max: 60 }), (raw, t) => {
    const list: Attempts = raw.map(([at, k], i) => [at, k, `id${i}`, '-']);
    const got = densestAround(list, t, W, key);
    assert.equal(got.count, naive(list, t));
    assert.equal(new Set(got.attempts.map(key)).size, got.count);
  }), { numRuns: 300 });
});

test('adding the same attempts in any order (with repeats) gives the same window, within the horizon', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.constantFrom('a', 'b', 'c')), { selector: ([at, k]) => `${at}|${k}` }), fc.integer(), (raw, seed) => {
    const attempts: Attempt[] = raw.map(([at, k]) => [at, k, `${at}|${k}`, '-']);
    const shuffled = [...attempts, ...attempts.slice(0, 3)].map((a, i) => ({ a, r: Math.sin(seed + i) })).sort((x, y) => x.r - y.r).map((x) => x.a);
    const build = (order: Attempt[]) => order.reduce<Attempts>((acc, a) => addAttempt(acc, a, 1000, 1000) ?? acc, []);
    const sorted = (l: Attempts) => [...l].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
    assert.deepEqual(sorted(build(shuffled)), sorted(build(attempts)));
  }), { numRuns: 200 });
});

test('addAttempt: a replay changes nothing, an attempt older than the horizon is ignored, the newest entries are kept at the cap', () => {
  const list = addAttempt(undefined, [100, 'a', 'x', '-'], 50, 3) ?? [];
  assert.equal(addAttempt(list, [100, 'a', 'y', '-'], 50, 3), undefined);
  assert.equal(addAttempt(list, [50, 'b', 'z', '-'], 50, 3), undefined);
  let l: Attempts = list;
  for (const at of [99, 98, 101, 97]) l = addAttempt(l, [at, 'k', String(at), '-'], 50, 3) ?? l;
  assert.deepEqual(l.map((e) => e[0]), [99, 100, 101]);
});
