import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diff, harness, only, snapshot } from './fixtures.ts';

const T = '2025-03-04T10:00:00Z';

test('posture-auditing-off fires on a disabled audit config and stays quiet when enabled', () => {
  const h = harness(only('posture-auditing-off'));
  const alerts = h.run([snapshot('audit_log', 'auditLog', { enabled: false, configurationType: 'NONE' }, T), snapshot('audit_log', 'auditLog', { enabled: true }, T, { project: 'aaaaaaaaaaaaaaaaaaaaaaaa' })]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.message, 'database auditing is off in project 65f0c0ffee0ddba11ab1e5e1');
});

test('posture-access-list-open fires for 0.0.0.0/0 only', () => {
  const h = harness(only('posture-access-list-open'));
  const alerts = h.run([
    snapshot('access_list_entry', '0.0.0.0/0', { cidrBlock: '0.0.0.0/0', comment: 'temp' }, T),
    snapshot('access_list_entry', '203.0.113.4/32', { cidrBlock: '203.0.113.4/32', ipAddress: '203.0.113.4' }, T),
  ]);
  assert.equal(alerts.length, 1);
  assert.match(alerts[0]?.message ?? '', /contains 0\.0\.0\.0\/0: open to the whole internet \(comment: temp\)/);
});

test('posture-privileged-users: privileged roles beyond the register fire, approved ones do not', () => {
  const h = harness(only('posture-privileged-users', '', 'approvedRoles:\n  - { principal: dba_ops, roles: [atlasAdmin] }'));
  const alerts = h.run([
    snapshot('database_user', 'admin/dba_ops', { username: 'dba_ops', databaseName: 'admin', roles: [{ roleName: 'atlasAdmin', databaseName: 'admin' }] }, T),
    snapshot('database_user', 'admin/etl', { username: 'etl', databaseName: 'admin', roles: [{ roleName: 'readWriteAnyDatabase', databaseName: 'admin' }, { roleName: 'read', databaseName: 'x' }] }, T),
  ]);
  assert.deepEqual(alerts.map((a) => a.atlas.alert.evidence['unapproved_privileged_roles']), [['readWriteAnyDatabase@admin']]);
});

test('posture-no-maintenance-window fires when no day is set or the window is removed', () => {
  const h = harness(only('posture-no-maintenance-window'));
  const alerts = h.run([
    snapshot('maintenance_window', 'maintenanceWindow', { dayOfWeek: 3, hourOfDay: 2 }, T),
    snapshot('maintenance_window', 'maintenanceWindow', { hourOfDay: 2 }, T, { project: 'aaaaaaaaaaaaaaaaaaaaaaaa' }),
    diff('maintenance_window', 'removed', 'maintenanceWindow', { dayOfWeek: 3 }, undefined, T, { project: 'bbbbbbbbbbbbbbbbbbbbbbbb' }),
  ]);
  assert.deepEqual(alerts.map((a) => a.cloud.project?.id), ['aaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbb']);
});

test('posture-encryption-no-cmk fires without a customer-managed key provider', () => {
  const h = harness(only('posture-encryption-no-cmk'));
  const alerts = h.run([
    snapshot('encryption_at_rest', 'encryptionAtRest', { awsKms: { enabled: true, region: 'US_EAST_1' } }, T),
    snapshot('encryption_at_rest', 'encryptionAtRest', { awsKms: { enabled: false }, azureKeyVault: { enabled: false } }, T, { project: 'aaaaaaaaaaaaaaaaaaaaaaaa' }),
    snapshot('encryption_at_rest', 'Cluster0', { encryptionAtRestProvider: 'NONE' }, T, { project: 'bbbbbbbbbbbbbbbbbbbbbbbb' }),
  ]);
  assert.deepEqual(alerts.map((a) => a.atlas.alert.subject), ['aaaaaaaaaaaaaaaaaaaaaaaa/encryptionAtRest', 'bbbbbbbbbbbbbbbbbbbbbbbb/Cluster0']);
});

test('posture findings repeat at most once per suppression window for the same subject', () => {
  const h = harness(only('posture-auditing-off'));
  const alerts = h.run([
    snapshot('audit_log', 'auditLog', { enabled: false }, '2025-03-04T10:00:00Z'),
    snapshot('audit_log', 'auditLog', { enabled: false }, '2025-03-04T16:00:00Z'),
    snapshot('audit_log', 'auditLog', { enabled: false }, '2025-03-05T10:00:00Z'),
  ]);
  assert.equal(alerts.length, 2);
});
