import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { createLogger } from '@atlas-audit/shared/logger';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';
import { createMongoLedger } from '@atlas-audit/siem/delivery-ledger';

// The SIEM delivery ledger on the real MongoDB-wire server: per-sink look-ups, idempotent
// records (a second record of the same ids is not an error), and pruning by age at start.
const log = createLogger({ name: 'siem-ledger-it', level: 'silent' });

test('the delivery ledger records per sink, tolerates recording an id twice, and prunes old entries at start', async () => {
  const mongo = new MongoClient(endpoints.mongodbUri);
  await mongo.connect();
  const db = mongo.db(`it_siem_ledger_${uniqueSuffix()}`);
  const errors: string[] = [];
  try {
    const ledger = await createMongoLedger(db, 'siem_delivered', 24, log, (op) => errors.push(op));
    await ledger.record('hook', ['a1', 'a2']);
    await ledger.record('hook', ['a2', 'a3']);
    await ledger.record('syslog', ['a1']);
    assert.deepEqual([...(await ledger.delivered('hook', ['a1', 'a2', 'a3', 'a4']))].sort(), ['a1', 'a2', 'a3']);
    assert.deepEqual([...(await ledger.delivered('syslog', ['a1', 'a2']))], ['a1']);
    assert.equal(errors.length, 0, 'a duplicate record is not an error');
    ledger.close();
    // An entry older than the retention is deleted when a ledger starts.
    await db.collection<{ _id: string; deliveredAt: Date }>('siem_delivered').updateOne({ _id: 'hook:a1' }, { $set: { deliveredAt: new Date(Date.now() - 25 * 3_600_000) } });
    const restarted = await createMongoLedger(db, 'siem_delivered', 24, log, (op) => errors.push(op));
    assert.deepEqual([...(await restarted.delivered('hook', ['a1', 'a2', 'a3']))].sort(), ['a2', 'a3']);
    restarted.close();
    assert.equal(errors.length, 0);
  } finally {
    await db.dropDatabase();
    await mongo.close();
  }
});
