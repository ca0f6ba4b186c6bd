import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '@atlas-audit/shared/config';
import { ingestConfigSchema, ingestEnvBindings } from '../src/config.ts';

const base = { ATLAS_BASE_URL: 'https://cloud.mongodb.com', KAFKA_BROKERS: '127.0.0.1:9092', MONGODB_URI: 'mongodb://127.0.0.1:27017' };

test('a service account config parses with every default spelled out', () => {
  const config = parseConfig(ingestConfigSchema, ingestEnvBindings, { env: { ...base, ATLAS_CLIENT_ID: 'mdb_sa_id_x', ATLAS_CLIENT_SECRET: 's3cret', ATLAS_ORG_IDS: '5f0000000000000000000a01', INGEST_AUDIT_OVERLAP_MS: '900000', INGEST_REPLICA_INDEX: '1', INGEST_REPLICA_COUNT: '3' } });
  assert.equal(config.atlas.clientId, 'mdb_sa_id_x');
  assert.deepEqual(config.atlas.orgIds, ['5f0000000000000000000a01']);
  assert.equal(config.ingest.audit.overlapMs, 900_000);
  assert.equal(config.ingest.audit.lagMs, 300_000);
  assert.equal(config.ingest.replicaIndex, 1);
  assert.equal(config.topics.events, 'atlas.events.v1');
});

test('every problem is listed at once and secrets never appear in the message', () => {
  assert.throws(
    () =>
      parseConfig(ingestConfigSchema, ingestEnvBindings, {
        env: { ...base, ATLAS_PUBLIC_KEY: 'pub', ATLAS_PRIVATE_KEY: 'priv-very-secret', ATLAS_CLIENT_SECRET: 'oauth-very-secret', ATLAS_PROJECT_IDS: 'not-an-id', INGEST_AUDIT_LAG_MS: 'soon', INGEST_REPLICA_INDEX: '4', INGEST_REPLICA_COUNT: '2' },
      }),
    (err: Error) => {
      assert.match(err.message, /ATLAS_PROJECT_IDS|projectIds/);
      assert.match(err.message, /INGEST_AUDIT_LAG_MS/);
      assert.match(err.message, /not both/);
      assert.match(err.message, /INGEST_REPLICA_COUNT/);
      assert.ok(!err.message.includes('priv-very-secret') && !err.message.includes('oauth-very-secret'));
      return true;
    },
  );
});

test('no credentials and no projects are two problems, not a default', () => {
  assert.throws(() => parseConfig(ingestConfigSchema, ingestEnvBindings, { env: base }), (err: Error) => /credentials missing/.test(err.message) && /ATLAS_PROJECT_IDS or ATLAS_ORG_IDS/.test(err.message));
});
