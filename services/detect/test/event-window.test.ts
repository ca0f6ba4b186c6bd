import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addAttempt, attemptsBetween, densestAround, newestDistinct, type Attempt, type Attempts } from '../src/core/lib/event-window.ts';

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

const byTimeThenKey = (l: Attempts): Attempts => [...l].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));

/** The specification of addAttempt, written as directly as possible: set union, horizon, newest maxEntries. */
function addBySpec(prior: Attempts, attempt: Attempt, horizonMs: number, maxEntries: number): Attempts | undefined {
  const newest = Math.max(attempt[0], ...prior.map((e) => e[0]));
  if (attempt[0] <= newest - horizonMs) return undefined;
  if (prior.some((e) => e[0] === attempt[0] && e[1] === attempt[1])) return undefined;
  return byTimeThenKey([...prior, attempt].filter((e) => e[0] > newest - horizonMs)).slice(-maxEntries);
}

test('addAttempt keeps its list sorted by (time, key) and matches the specification, even from a list in insertion order', () => {
  const attemptArb = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom('a', 'b', 'c', 'd')).map(([at, k]): Attempt => [at, k, `${at}|${k}`, '-']);
  fc.assert(fc.property(fc.array(attemptArb, { maxLength: 40 }), attemptArb, fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 12 }), (raw, attempt, horizon, cap) => {
    // A legacy (unsorted, replay-free) list as an older version stored it.
    const prior = raw.filter((e, i) => raw.findIndex((o) => o[0] === e[0] && o[1] === e[1]) === i);
    const frozen = JSON.stringify(prior);
    const got = addAttempt(prior, attempt, horizon, cap);
    assert.equal(JSON.stringify(prior), frozen, 'prior untouched');
    const want = addBySpec(prior, attempt, horizon, cap);
    if (want === undefined) assert.equal(got, undefined);
    else {
      assert.deepEqual(got, want);
      assert.deepEqual(got, byTimeThenKey(got ?? []));
    }
  }), { numRuns: 500 });
});

test('densestAround and attemptsBetween answer the same for a list in any order', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('a', 'b', 'c'))), fc.integer({ min: 0, max: 60 }), (raw, t) => {
    const list: Attempts = raw.map(([at, k], i) => [at, k, `id${i}`, '-']);
    const sorted = byTimeThenKey(list);
    assert.deepEqual(densestAround(list, t, W, key).count, densestAround(sorted, t, W, key).count);
    assert.deepEqual(attemptsBetween(list, t - W, t), sorted.filter((e) => e[0] >= t - W && e[0] < t));
  }), { numRuns: 300 });
});

test('newestDistinct: the last n distinct values, oldest first', () => {
  const list: Attempts = [[1, 'k', 'a', '-'], [2, 'k', 'b', '-'], [3, 'k', 'a', '-'], [4, 'k', 'c', '-'], [5, 'k', 'd', '-']];
  assert.deepEqual(newestDistinct(list, (e) => e[2], 3), ['a', 'c', 'd']);
  assert.deepEqual(newestDistinct(list, (e) => e[2], 10), ['b', 'a', 'c', 'd']);
  assert.deepEqual(newestDistinct([], (e) => e[2], 3), []);
});
