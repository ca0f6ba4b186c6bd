import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@atlas-audit/shared/errors';
import type { AtlasApi, PostureResource } from '../src/atlas/api.ts';
import { fetchPostureSnapshot } from '../src/fetch-posture.ts';

test('a fetched snapshot holds no write-only secret (it is kept in checkpoints); a resource the key may not read is left out', async () => {
  const bodies: Partial<Record<PostureResource, unknown>> = {
    databaseUsers: [{ username: 'bob', databaseName: 'admin', password: 'hunter2-pw', roles: [] }],
    encryptionAtRest: { awsKms: { enabled: true, accessKeyID: 'AKIAEXAMPLE', secretAccessKey: 'aws-secret-value' }, azureKeyVault: { enabled: false, secret: 'azure-secret-value' } },
    accessList: [{ cidrBlock: '203.0.113.0/24' }],
  };
  const api = {
    posture: (_project: string, resource: PostureResource) => {
      if (resource === 'auditLog') return Promise.reject(new AppError('forbidden', { code: 'ATLAS_HTTP_ERROR', retryable: false, details: { status: 403 } }));
      return Promise.resolve(bodies[resource] ?? {});
    },
  } as unknown as AtlasApi;
  const fetched = await fetchPostureSnapshot(api, 'p1', '2025-03-05T00:00:00.000Z');
  assert.ok(fetched.ok);
  const text = JSON.stringify(fetched.snapshot);
  for (const secret of ['hunter2', 'aws-secret', 'azure-secret']) assert.ok(!text.includes(secret), secret);
  assert.ok(text.includes('AKIAEXAMPLE'));
  assert.deepEqual(fetched.missing, ['auditLog']);
  assert.equal(fetched.snapshot.auditLog, undefined);
});
