import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dedupeHorizonMs, planWindow, type WindowPolicy } from '../src/core/window.ts';
import { advanceCheckpoint, initialCheckpoint, MAX_SEEN_ENTRIES, seenKey } from '../src/core/checkpoint.ts';

const min = 60_000;
const audit: WindowPolicy = { lagMs: 5 * min, overlapMs: 10 * min, maxWindowMs: 60 * min, granularityMs: 1000, minAdvanceMs: 1000 };

test('a window starts one overlap before the cursor and ends publication-lag before now', () => {
  const cursor = Date.parse('2025-03-03T10:00:00Z');
  const window = planWindow(cursor, cursor + 20 * min, audit);
  assert.deepEqual(window, { startMs: cursor - 10 * min, endMs: cursor + 15 * min });
});

test('catch-up windows are capped at maxWindow and end on whole seconds', () => {
  const cursor = Date.parse('2025-03-03T10:00:00.250Z');
  const window = planWindow(cursor, cursor + 10 * 60 * min + 777, audit);
  assert.ok(window !== undefined);
  assert.equal(window.endMs % 1000, 0);
  assert.ok(window.endMs - cursor <= 60 * min);
  assert.ok(window.startMs <= cursor - 10 * min);
});

test('no window while nothing past the cursor can be published yet', () => {
  const cursor = Date.parse('2025-03-03T10:00:00Z');
  assert.equal(planWindow(cursor, cursor + 5 * min, audit), undefined);
  assert.equal(planWindow(cursor, cursor + 2 * min, audit), undefined);
});

test('advancing a checkpoint moves the cursor to the window end and prunes the dedupe set at the horizon', () => {
  const start = initialCheckpoint('k', 0, '2025-01-01T00:00:00.000Z');
  const ids: Array<[string, number]> = [['a'.repeat(64), 100], ['b'.repeat(64), 7_000], ['c'.repeat(64), 9_000]];
  const next = advanceCheckpoint(start, 'k', { startMs: 0, endMs: 10_000 }, ids, dedupeHorizonMs(10_000, 2_000), '2025-01-01T00:00:01.000Z');
  assert.equal(next.cursorMs, 10_000);
  assert.equal(next.seq, 1);
  assert.deepEqual(next.seen.map(([id]) => id), [seenKey('b'.repeat(64)), seenKey('c'.repeat(64))]);
  const later = advanceCheckpoint(next, 'k', { startMs: 8_000, endMs: 20_000 }, [], dedupeHorizonMs(20_000, 2_000), '2025-01-01T00:00:02.000Z');
  assert.deepEqual(later.seen, [], 'entries older than the new horizon are dropped');
  const backwards = advanceCheckpoint(later, 'k', { startMs: 0, endMs: 5_000 }, [], 0, '2025-01-01T00:00:03.000Z');
  assert.equal(backwards.cursorMs, 20_000, 'the cursor never moves backwards');
});

test('the dedupe set is capped, keeping the newest entries', () => {
  const produced: Array<[string, number]> = Array.from({ length: MAX_SEEN_ENTRIES + 10 }, (_, i) => [i.toString(16).padStart(24, '0').padEnd(64, 'f'), 1_000 + i]);
  const next = advanceCheckpoint(undefined, 'k', { startMs: 0, endMs: 10_000_000 }, produced, 0, '2025-01-01T00:00:00.000Z');
  assert.equal(next.seen.length, MAX_SEEN_ENTRIES);
  assert.equal(next.seen[0]?.[1], 1_010, 'the 10 oldest were dropped');
});
