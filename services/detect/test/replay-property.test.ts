import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { harness } from './fixtures.ts';
import { mixedStream } from './stream.ts';

// Redelivery as Kafka does it: after any point, an earlier stretch of recent events arrives again.
const stream = mixedStream(3, 5).slice(0, 1200);
const reference = harness().run(stream).map((a) => a.event.id);

test('redelivering recent stretches of the stream at any points never adds or loses an alert id (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: stream.length }), fc.integer({ min: 1, max: 150 })), { minLength: 1, maxLength: 6 }), (cuts) => {
      const at = new Map<number, number>();
      for (const [pos, len] of cuts) at.set(pos, len);
      const fed: AtlasEvent[] = [];
      stream.forEach((e, i) => {
        fed.push(e);
        const len = at.get(i + 1);
        if (len !== undefined) fed.push(...stream.slice(Math.max(0, i + 1 - len), i + 1));
      });
      const ids = harness().run(fed).map((a) => a.event.id);
      assert.deepEqual(ids, reference);
    }),
    { numRuns: 25 },
  );
});
