import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import { diffSnapshots } from '@atlas-audit/shared/core/normalise/posture-diff';
import type { PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { expectEvent, readJsonFixture } from './helpers.ts';

const first = readJsonFixture('posture/snapshot-1.json') as PostureSnapshot;
const second = readJsonFixture('posture/snapshot-2.json') as PostureSnapshot;
const context = { project: '65f0c0ffee0ddba11ab1e5e1' };

test('a snapshot becomes one state event per resource', () => {
  const results = normalisePostureSnapshot(first, context);
  const events = results.map(expectEvent);
  assert.deepEqual(
    events.map((e) => `${e.atlas.snapshot?.kind}:${e.atlas.snapshot?.resource}`),
    [
      'database_user:admin/app_svc',
      'database_user:admin/report_ro',
      'database_user:$external/CN=legacy',
      'custom_role:salesReader',
      'access_list_entry:203.0.113.0/24',
      'access_list_entry:198.51.100.23/32',
      'audit_log:auditLog',
      'maintenance_window:maintenanceWindow',
      'encryption_at_rest:encryptionAtRest',
    ],
  );
  for (const event of events) {
    assert.equal(event.event.kind, 'state');
    assert.equal(event.event.dataset, 'atlas.posture');
    assert.equal(event['@timestamp'], '2025-03-03T00:00:00.000Z');
  }
  const user = events[1] as AtlasEvent;
  assert.deepEqual(user.user, { name: 'report_ro', domain: 'admin', roles: ['read@reporting'] });
  assert.equal(JSON.stringify(user.atlas.snapshot?.state).includes('links'), false);
  assert.equal(new Set(events.map((e) => e.event.id)).size, events.length);
});

test('an unidentifiable item is a reason next to the other events', () => {
  const results = normalisePostureSnapshot(second, context);
  const reasons = results.filter((r) => !r.ok);
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]?.ok === false ? reasons[0].reason : '', /databaseUsers\[3\]/);
});

test('diffing two snapshots reports users added, removed and roles changed, access entries added, audit disabled', () => {
  const events = diffSnapshots(first, second, context).map(expectEvent);
  const summary = events.map((e) => `${e.event.action} ${e.atlas.diff?.resource}`);
  assert.deepEqual(summary, [
    'access_list_entry_added 0.0.0.0/0',
    'audit_log_disabled auditLog',
    'database_user_roles_changed admin/app_svc',
    'database_user_added admin/backdoor',
    'database_user_removed admin/report_ro',
  ]);
  const roles = events[2] as AtlasEvent;
  assert.deepEqual(roles.atlas.diff?.changed_fields, ['roles']);
  assert.deepEqual(roles.user?.target?.roles, ['atlasAdmin@admin', 'readWrite@sales']);
  assert.deepEqual(roles.event.type, ['user', 'change']);
  const added = events[3] as AtlasEvent;
  assert.deepEqual(added.event.type, ['user', 'creation']);
  assert.equal(added.atlas.diff?.before, undefined);
  assert.equal(added['@timestamp'], '2025-03-04T00:00:00.000Z');
  assert.equal(added.atlas.diff?.previous_timestamp, '2025-03-03T00:00:00.000Z');
  assert.deepEqual((events[4] as AtlasEvent).event.type, ['user', 'deletion']);
});

test('diffing is deterministic, order-insensitive for roles and silent when nothing changed', () => {
  assert.deepEqual(diffSnapshots(first, second, context), diffSnapshots(first, second, context));
  assert.deepEqual(diffSnapshots(first, { ...first, takenAt: '2025-03-05T00:00:00.000Z' }, context), []);
  const reordered = structuredClone(second) as { databaseUsers: { results: { roles: unknown[] }[] } } & PostureSnapshot;
  reordered.databaseUsers.results[0]?.roles.reverse();
  assert.deepEqual(diffSnapshots(second, reordered, context), []);
  assert.deepEqual(diffSnapshots({ takenAt: first.takenAt, auditLog: first.auditLog }, { takenAt: second.takenAt }, context), [], 'a section missing from one side is not diffed');
});

test('bad snapshot times give a reason', () => {
  const [result] = normalisePostureSnapshot({ takenAt: 'now' }, context);
  assert.equal(result?.ok, false);
  const [diff] = diffSnapshots({ takenAt: 'x' }, second, context);
  assert.equal(diff?.ok, false);
});

test('write-only secrets in a snapshot body never reach an event; that they are set still shows', () => {
  const leaky: PostureSnapshot = {
    takenAt: '2025-03-05T00:00:00.000Z',
    databaseUsers: { results: [{ username: 'bob', databaseName: 'admin', password: 'hunter2-pw', roles: [{ roleName: 'read', databaseName: 'sales' }] }] },
    encryptionAtRest: {
      awsKms: { enabled: true, accessKeyID: 'AKIAEXAMPLE', secretAccessKey: 'aws-secret-value', customerMasterKeyID: 'key-1' },
      azureKeyVault: { enabled: false, secret: 'azure-secret-value' },
      googleCloudKms: { enabled: false, serviceAccountKey: '{"private_key":"gcp-secret-value"}' },
    },
  };
  const rotated: PostureSnapshot = JSON.parse(JSON.stringify(leaky).replaceAll('-value', '-rotated').replace('hunter2-pw', 'new-pw')) as PostureSnapshot;
  rotated.takenAt = '2025-03-06T00:00:00.000Z';
  const events = [...normalisePostureSnapshot(leaky, context), ...normalisePostureSnapshot(rotated, context), ...diffSnapshots(leaky, rotated, context)].map(expectEvent);
  const text = JSON.stringify(events);
  for (const secret of ['hunter2', 'new-pw', 'aws-secret', 'azure-secret', 'gcp-secret']) assert.ok(!text.includes(secret), secret);
  const encryption = events.find((e) => e.atlas.snapshot?.kind === 'encryption_at_rest');
  assert.deepEqual((encryption?.atlas.snapshot?.state['awsKms'] as Record<string, unknown>)['secretAccessKey'], '[redacted]');
  assert.equal((encryption?.atlas.snapshot?.state['awsKms'] as Record<string, unknown>)['accessKeyID'], 'AKIAEXAMPLE', 'identifiers stay');
  // Only a secret changed: no diff to show, and none that would carry it.
  assert.equal(diffSnapshots(leaky, rotated, context).length, 0);
});
