import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { acceptAccessPage, startAccessPager } from '../src/core/access-pager.ts';

type Entry = { logLine: string; timestamp: string; n: number };

function entryAt(ms: number, n: number): Entry {
  return { logLine: JSON.stringify({ t: { $date: new Date(ms).toISOString() }, id: 20250, ctx: `conn${n}` }), timestamp: new Date(ms).toISOString(), n };
}

/** A server answering like dbAccessHistory: newest first, at most nLogs, end inclusive or exclusive. */
function serve(all: readonly Entry[], startMs: number, endMs: number, nLogs: number, inclusive: boolean): Entry[] {
  const time = (e: Entry): number => Date.parse(e.timestamp);
  return all
    .filter((e) => time(e) >= startMs && (inclusive ? time(e) <= endMs : time(e) < endMs))
    .sort((a, b) => time(b) - time(a) || b.n - a.n)
    .slice(0, nLogs);
}

function drain(all: readonly Entry[], startMs: number, endMs: number, nLogs: number, inclusive: boolean): { got: number[]; truncated: boolean } {
  let pager = startAccessPager({ startMs, endMs }, nLogs);
  for (let i = 0; i < 10_000 && !pager.done; i += 1) pager = acceptAccessPage(pager, serve(all, startMs, pager.nextEndMs, nLogs, inclusive));
  assert.ok(pager.done, 'paging terminates');
  return { got: pager.collected.map((c) => (c.entry as Entry).n).sort((a, b) => a - b), truncated: pager.truncated };
}

test('backward paging takes every entry exactly once when many share the boundary millisecond', () => {
  const base = Date.parse('2025-03-04T14:00:00Z');
  // 5 entries at each of 6 milliseconds: every page boundary falls inside a group.
  const all = Array.from({ length: 30 }, (_, i) => entryAt(base + Math.floor(i / 5), i));
  for (const inclusive of [true, false]) {
    const { got, truncated } = drain(all, base, base + 1000, 7, inclusive);
    assert.deepEqual(got, all.map((e) => e.n), `inclusive=${inclusive}`);
    assert.equal(truncated, false);
  }
});

test('property: any timestamps, any page size: the entries of the window, each once', () => {
  const base = Date.parse('2025-03-04T14:00:00Z');
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 0, maxLength: 120 }), fc.integer({ min: 2, max: 25 }), fc.boolean(), (offsets, nLogs, inclusive) => {
      const all = offsets.map((o, i) => entryAt(base + o, i));
      const counts = new Map<number, number>();
      for (const o of offsets) counts.set(o, (counts.get(o) ?? 0) + 1);
      const splittable = [...counts.values()].every((c) => c < nLogs);
      const { got, truncated } = drain(all, base, base + 41, nLogs, inclusive);
      if (splittable) {
        assert.deepEqual(got, all.map((e) => e.n));
        assert.equal(truncated, false);
      } else {
        assert.equal(new Set(got).size, got.length, 'never a duplicate, even when a millisecond holds a full page');
      }
    }),
    { numRuns: 500 },
  );
});
