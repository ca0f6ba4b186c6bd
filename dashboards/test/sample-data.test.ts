import assert from 'node:assert/strict';
import test from 'node:test';
import { generateSampleData } from '../src/sample-data.ts';

test('sample data: every event has its own id, also where random timestamps repeat a record byte for byte', () => {
  // At this density (what bench:index generates for 100,000 documents) seed 1 repeats an access
  // entry exactly; with occurrence 0 for every record the two collided on one _id.
  const data = generateSampleData({ endMs: Date.UTC(2026, 11, 2, 8, 0, 0), hours: 24, seed: 1, auditPerHour: 1112 });
  assert.deepEqual(data.rejected, []);
  const ids = new Set(data.events.map((e) => e.event.id));
  assert.equal(ids.size, data.events.length);
  const repeated = data.events.filter((e) => (e.atlas.source_coordinates?.occurrence ?? 0) > 0);
  assert.ok(repeated.length > 0, 'the data set holds repeated records, so the test can fail');
});
