import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBulkCoalescer } from '../src/bulk-coalescer.ts';
import type { IndexAction } from '../src/core/index-action.ts';

const action = (i: number): IndexAction => ({ index: 'i', id: String(i), source: '{}', bytes: 2 });
const range = (from: number, to: number): IndexAction[] => Array.from({ length: to - from }, (_, k) => action(from + k));

test('a full queue is sent at once, in requests of at most maxDocs, with at most two in flight', async () => {
  const sizes: number[] = [];
  let inFlight = 0;
  let peak = 0;
  const coalescer = createBulkCoalescer(async (actions) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    sizes.push(actions.length);
    await new Promise((r) => setTimeout(r, 20));
    inFlight -= 1;
    return actions.map(() => ({ status: 201 }));
  }, { maxDocs: 10, maxBytes: 1_000_000, flushMs: 50 });
  const started = Date.now();
  const results = await coalescer.submit(range(0, 35));
  assert.equal(results.length, 35);
  assert.deepEqual(sizes, [10, 10, 10, 5]);
  assert.equal(peak, 2);
  assert.ok(Date.now() - started < 1_000, 'the partial remainder goes out once it is flushMs old');
});

test('a partial queue is flushed after flushMs, and results come back in order', async () => {
  const sent: string[][] = [];
  const coalescer = createBulkCoalescer(async (actions) => {
    sent.push(actions.map((a) => a.id));
    return actions.map((a) => ({ status: a.id === '1' ? 409 : 201 }));
  }, { maxDocs: 100, maxBytes: 1_000_000, flushMs: 30 });
  const started = Date.now();
  const [a, b] = await Promise.all([coalescer.submit(range(0, 2)), coalescer.submit(range(2, 3))]);
  const waited = Date.now() - started;
  assert.ok(waited >= 25 && waited < 1_000, `waited ${waited} ms`);
  assert.deepEqual(sent, [['0', '1', '2']]);
  assert.deepEqual(a?.map((r) => r.status), [201, 409]);
  assert.deepEqual(b?.map((r) => r.status), [201]);
  assert.equal(coalescer.pendingCount(), 0);
});

test('a failed request rejects every submission it carried', async () => {
  const coalescer = createBulkCoalescer(async () => {
    throw new Error('connection refused');
  }, { maxDocs: 5, maxBytes: 1_000_000, flushMs: 1 });
  await assert.rejects(coalescer.submit(range(0, 3)), /connection refused/);
  assert.equal(coalescer.pendingCount(), 0);
});
