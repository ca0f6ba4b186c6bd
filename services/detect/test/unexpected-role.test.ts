import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, activity, audit, diff, harness, only } from './fixtures.ts';

const register = `approvedRoles:
  - principal: "app_*"
    roles: ["readWrite@sales", "read@*"]
  - principal: dba_ops
    roles: ["userAdminAnyDatabase@admin", "atlasAdmin"]
    reference: CHG-1234
`;
const cfg = only('unexpected-role', '', register);

test('unexpected-role fires when a privileged role is granted to a principal without approval', () => {
  const h = harness(cfg);
  const alerts = h.run([audit('grantRolesToUser', 'dba_ops', '2025-03-04T14:09:41Z', { param: { user: 'report_ro', db: 'admin', roles: [{ role: 'readWriteAnyDatabase', db: 'admin' }] }, roles: ['userAdminAnyDatabase@admin'] })]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.severity, 'high');
  assert.equal(alerts[0]?.message, 'report_ro was granted role readWriteAnyDatabase@admin by dba_ops, which is not in its approved set (grantRolesToUser)');
  assert.equal(alerts[0]?.user?.target?.name, 'report_ro');
});

test('unexpected-role is Critical when self-granted', () => {
  const h = harness(cfg);
  const alerts = h.run([audit('grantRolesToUser', 'app_svc', '2025-03-04T14:09:41Z', { param: { user: 'app_svc', db: 'admin', roles: [{ role: 'root', db: 'admin' }] }, roles: ['readWrite@sales'] })]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.severity, 'critical');
  assert.match(alerts[0]?.message ?? '', /app_svc granted itself role root@admin/);
});

test('unexpected-role: a registered principal granted a non-privileged role outside its set fires; an approved one does not', () => {
  const h = harness(cfg);
  const alerts = h.run([
    audit('createUser', 'dba_ops', '2025-03-04T14:09:03Z', { param: { user: 'app_billing', db: 'admin', roles: [{ role: 'readWrite', db: 'sales' }, { role: 'read', db: 'reporting' }] } }),
    audit('grantRolesToUser', 'dba_ops', '2025-03-04T14:10:03Z', { param: { user: 'app_billing', db: 'admin', roles: [{ role: 'readWrite', db: 'hr' }] } }),
  ]);
  assert.deepEqual(alerts.map((a) => a.atlas.alert.evidence['role']), ['readWrite@hr']);
});

test('unexpected-role: an unregistered principal with non-privileged roles is not flagged', () => {
  const h = harness(cfg);
  assert.equal(h.run([audit('createUser', 'dba_ops', '2025-03-04T14:09:03Z', { param: { user: 'report_ro', db: 'admin', roles: [{ role: 'read', db: 'reporting' }] } })]).length, 0);
});

test('unexpected-role fires once per (principal, role) per day when a principal acts with an unapproved role', () => {
  const h = harness(cfg);
  const act = (at: string) => audit('find', 'app_svc', at, { roles: ['readWrite@sales', 'dbAdminAnyDatabase@admin'] });
  const alerts = h.run([act('2025-03-04T10:00:00Z'), act('2025-03-04T11:00:00Z'), act('2025-03-04T12:00:00Z'), act('2025-03-05T10:00:01Z')]);
  assert.equal(alerts.length, 2);
  assert.equal(alerts[0]?.atlas.alert.subject, '65f0c0ffee0ddba11ab1e5e1/app_svc/dbAdminAnyDatabase@admin');
});

test('unexpected-role: approved privileged roles and Atlas agents acting with root do not fire', () => {
  const h = harness(cfg);
  const alerts = h.run([
    audit('find', 'dba_ops', '2025-03-04T10:00:00Z', { roles: ['atlasAdmin@admin', 'userAdminAnyDatabase@admin'] }),
    audit('find', 'mms-automation', '2025-03-04T10:00:00Z', { roles: ['root@admin'] }),
    audit('find', '__system', '2025-03-04T10:00:00Z', { roles: ['__system@local'], system: true }),
  ]);
  assert.equal(alerts.length, 0);
});

test('unexpected-role reads Atlas role-change events and database-user diffs', () => {
  const h = harness(cfg);
  const alerts = h.run([
    activity('USER_ROLES_CHANGED_AUDIT', 'alice@example.com', '2025-03-04T10:00:00Z', { target: 'bob@example.com', targetRoles: ['GROUP_OWNER'] }),
    diff('database_user', 'changed', 'admin/app_svc',
      { username: 'app_svc', databaseName: 'admin', roles: [{ roleName: 'readWrite', databaseName: 'sales' }] },
      { username: 'app_svc', databaseName: 'admin', roles: [{ roleName: 'readWrite', databaseName: 'sales' }, { roleName: 'atlasAdmin', databaseName: 'admin' }] },
      '2025-03-04T11:00:00Z'),
  ]);
  assert.deepEqual(alerts.map((a) => a.atlas.alert.subject), ['65f0c0ffee0ddba11ab1e5e1/bob@example.com/GROUP_OWNER', '65f0c0ffee0ddba11ab1e5e1/app_svc/atlasAdmin@admin']);
});

test('unexpected-role is Critical when the granting actor works from a prefix it never logged in from', () => {
  const h = harness(cfg.replace("  new-ip:\n    enabled: false", "  new-ip:\n    enabled: true"));
  const grant = (ip: string, at: string) => audit('grantRolesToUser', 'dba_ops', at, { ip, param: { user: 'report_ro', db: 'admin', roles: [{ role: 'readWriteAnyDatabase', db: 'admin' }] }, roles: ['userAdminAnyDatabase@admin'] });
  const alerts = h.run([
    access('dba_ops', '203.0.113.45', '2025-03-01T09:00:00Z'),
    grant('198.51.100.9', '2025-03-04T10:00:00Z'),
  ]);
  const granted = alerts.filter((a) => a.rule.id === 'unexpected-role');
  assert.equal(granted.length, 1);
  assert.equal(granted[0]?.severity, 'critical');
  assert.match(granted[0]?.message ?? '', /from a prefix dba_ops never logged in from \(198\.51\.100\.9\)/);
  const known = harness(cfg.replace("  new-ip:\n    enabled: false", "  new-ip:\n    enabled: true")).run([access('dba_ops', '198.51.100.4', '2025-03-01T09:00:00Z'), grant('198.51.100.9', '2025-03-04T10:00:00Z')]);
  assert.equal(known.filter((a) => a.rule.id === 'unexpected-role')[0]?.severity, 'high');
});
