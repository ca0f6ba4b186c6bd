import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertSchema, type Alert } from '@atlas-audit/shared/schema/alert';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { createMemoryState, type MemoryState } from '../src/core/state/memory.ts';
import type { StateChange } from '../src/core/state/port.ts';
import { harness } from './fixtures.ts';
import { mixedStream } from './stream.ts';

const stream = mixedStream();
const reference = harness().run(stream);
const referenceIds = reference.map((a) => a.event.id);

/** A durable store as the shell keeps it: JSON copies, so no object is shared with the cache. */
function persist(durable: Map<string, string>, changes: readonly StateChange[]): void {
  for (const c of changes) {
    const key = `${c.namespace}\u0000${c.key}`;
    if (c.value === undefined) durable.delete(key);
    else durable.set(key, JSON.stringify(c.value));
  }
}

function restore(durable: Map<string, string>): MemoryState {
  const state = createMemoryState();
  state.load([...durable].map(([k, v]) => {
    const [namespace, key] = k.split('\u0000') as [string, string];
    return { namespace, key, value: JSON.parse(v) as StateChange['value'] };
  }));
  return state;
}

test('the mixed stream raises alerts of many rules, all valid against the alert schema, with unique ids', () => {
  const rules = new Set(reference.map((a) => a.rule.id));
  assert.ok(rules.size >= 10, `only ${[...rules].join(', ')}`);
  for (const a of reference) assert.equal(alertSchema.safeParse(a).success, true, JSON.stringify(alertSchema.safeParse(a).error?.issues));
  assert.equal(new Set(referenceIds).size, referenceIds.length);
});

test('a fresh engine over the same stream yields the same alert ids in the same order', () => {
  assert.deepEqual(harness().run(stream).map((a) => a.event.id), referenceIds);
});

test('replaying the stream into the same state yields no further alerts', () => {
  const h = harness();
  assert.equal(h.run(stream).length, reference.length);
  assert.equal(h.run(stream).length, 0);
});

type Crash = 'after-produce' | 'after-persist';

/** Runs `stream` in batches with produce → persist → commit, crashing once at `crashBatch`. */
function runWithCrash(events: readonly AtlasEvent[], batchSize: number, crashBatch: number, crash: Crash): Alert[] {
  const produced: Alert[] = [];
  const durable = new Map<string, string>();
  let committed = 0;
  let h = harness(undefined, restore(durable));
  let crashed = false;
  while (committed < events.length) {
    const batch = events.slice(committed, committed + batchSize);
    const alerts = h.run(batch);
    produced.push(...alerts);
    const batchNo = committed / batchSize;
    if (!crashed && batchNo === crashBatch && crash === 'after-produce') {
      crashed = true;
      h = harness(undefined, restore(durable));
      continue;
    }
    persist(durable, h.state.changes());
    h.state.markClean();
    if (!crashed && batchNo === crashBatch && crash === 'after-persist') {
      crashed = true;
      h = harness(undefined, restore(durable));
      continue;
    }
    committed += batch.length;
  }
  return produced;
}

for (const crash of ['after-produce', 'after-persist'] as const) {
  for (const crashBatch of [3, 40, 150]) {
    test(`a crash ${crash} before commit (batch ${crashBatch}) re-emits only ids already emitted and loses none`, () => {
      const produced = runWithCrash(stream, 50, crashBatch, crash);
      const ids = produced.map((a) => a.event.id);
      assert.deepEqual([...new Set(ids)].sort(), [...referenceIds].sort());
      if (crash === 'after-persist') assert.equal(ids.length, referenceIds.length, 'state persisted: the replayed batch raises nothing again');
    });
  }
}
