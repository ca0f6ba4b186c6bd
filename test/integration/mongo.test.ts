import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStateStore } from '@atlas-audit/shared/mongo';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';

test('upserts under a unique index keep one document per key in the MongoDB-wire server', { timeout: 60_000 }, async () => {
  const store = await createStateStore({ uri: endpoints.mongodbUri, database: `it_${uniqueSuffix()}` });
  try {
    assert.deepEqual(await store.health(), { ok: true });
    const checkpoints = store.db.collection<{ project: string; host: string; source: string; cursor: number }>('checkpoints');
    await checkpoints.createIndex({ project: 1, host: 1, source: 1 }, { unique: true, name: 'coordinates' });
    for (let round = 0; round < 3; round += 1) {
      for (let h = 0; h < 10; h += 1) {
        await checkpoints.updateOne({ project: 'p1', host: `h${h}`, source: 'audit' }, { $set: { cursor: round * 100 + h } }, { upsert: true });
      }
    }
    assert.equal(await checkpoints.countDocuments({}), 10);
    const h3 = await checkpoints.findOne({ project: 'p1', host: 'h3', source: 'audit' });
    assert.equal(h3?.cursor, 203);
    await assert.rejects(checkpoints.insertOne({ project: 'p1', host: 'h3', source: 'audit', cursor: 0 }), (err: { code?: number }) => err.code === 11000);
    const bulk = await checkpoints.bulkWrite([
      { updateOne: { filter: { project: 'p2', host: 'h0', source: 'audit' }, update: { $max: { cursor: 5 } }, upsert: true } },
      { updateOne: { filter: { project: 'p2', host: 'h0', source: 'audit' }, update: { $max: { cursor: 3 } }, upsert: true } },
    ]);
    assert.equal(bulk.upsertedCount, 1);
    assert.equal((await checkpoints.findOne({ project: 'p2' }))?.cursor, 5);
  } finally {
    await store.db.dropDatabase();
    await store.close();
  }
});
