import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Result } from '@atlas-audit/shared/result';
import { normaliseAuditLine } from '@atlas-audit/shared/core/normalise/audit';
import { normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { diffSnapshots, } from '@atlas-audit/shared/core/normalise/posture-diff';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import { harness, only } from './fixtures.ts';

const context = { project: '65f0c0ffee0ddba11ab1e5e1', org: '5f0c0ffee0ddba11ab1e5e10', host: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net', cluster: 'Cluster0', logName: 'mongodb-audit-log' };

function value(r: Result<AtlasEvent>): AtlasEvent {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

const grantLine = '{"atype":"grantRolesToUser","ts":{"$date":"2025-03-08T23:09:41.002+00:00"},"uuid":{"$binary":"PyqcHkt9To+hwtPk9abZ6g==","$type":"04"},"local":{"ip":"192.168.240.12","port":27017},"remote":{"ip":"198.51.100.23","port":61002},"users":[{"user":"dba_ops","db":"admin"}],"roles":[{"role":"userAdminAnyDatabase","db":"admin"}],"param":{"user":"report_ro","db":"admin","roles":[{"role":"readWriteAnyDatabase","db":"admin"}]},"result":0}';
const selfGrantLine = '{"atype":"grantRolesToUser","ts":{"$date":"2025-03-04T14:09:41.002+00:00"},"remote":{"ip":"198.51.100.23","port":61002},"users":[{"user":"app_svc","db":"admin"}],"roles":[{"role":"userAdmin","db":"admin"}],"param":{"user":"app_svc","db":"admin","roles":[{"role":"root","db":"admin"}]},"result":0}';
const agentLine = '{"atype":"authenticate","ts":{"$date":"2025-03-08T23:10:00.000+00:00"},"remote":{"ip":"192.168.240.5","port":50000},"users":[{"user":"mms-automation","db":"admin"}],"roles":[{"role":"root","db":"admin"}],"param":{"user":"mms-automation","db":"admin","mechanism":"SCRAM-SHA-256"},"result":0}';

test('normalised audit lines: off-hours grant by dba_ops, critical self-grant, agent logins ignored', () => {
  const h = harness();
  const events = [grantLine, selfGrantLine, agentLine].map((l, i) => value(normaliseAuditLine(l, i, context)));
  const alerts = h.run(events);
  const summary = alerts.map((a) => `${a.rule.id}:${a.severity}`).sort();
  assert.deepEqual(summary, ['off-hours-admin:high', 'unexpected-role:critical', 'unexpected-role:high', 'unexpected-role:high', 'unexpected-role:high']);
  const self = alerts.find((a) => a.severity === 'critical');
  assert.equal(self?.message, 'app_svc granted itself role root@admin, which is not in its approved set (grantRolesToUser)');
});

test('normalised access history: a new prefix after 20 days of history fires new-ip', () => {
  const h = harness(only('new-ip'));
  const entry = (day: number, ip: string, ok = true) => ({
    authResult: ok, authSource: 'admin', failureReason: ok ? null : 'AuthenticationFailed: x', groupId: context.project, hostname: context.host, ipAddress: ip,
    logLine: JSON.stringify({ t: { $date: `2025-03-${String(day).padStart(2, '0')}T10:00:00.000+00:00` }, s: 'I', c: 'ACCESS', id: ok ? 20250 : 20249, ctx: 'conn1', msg: 'x', attr: { mechanism: 'SCRAM-SHA-256', principalName: 'app_svc', authenticationDatabase: 'admin', remote: `${ip}:5000` } }),
    timestamp: 'x', username: 'app_svc',
  });
  const events = [];
  for (let d = 1; d <= 20; d++) events.push(value(normaliseAccessEntry(entry(d, '203.0.113.45'), 0, context)));
  events.push(value(normaliseAccessEntry(entry(21, '198.51.100.23'), 0, context)));
  const alerts = h.run(events);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.message, 'first successful login for app_svc from 198.51.100.0/24; known since 2025-03-01: 203.0.113.0/24');
});

test('normalised activity events: 0.0.0.0/0 access-list entry and MFA made optional', () => {
  const h = harness();
  const events = [
    { id: '6a794038c0eb9e7a1771a588', created: '2025-03-04T10:00:00Z', eventTypeName: 'NETWORK_PERMISSION_ENTRY_ADDED', groupId: context.project, username: 'alice@example.com', userId: 'u1', remoteAddress: '52.161.45.225', whitelistEntry: '0.0.0.0/0' },
    { id: '6a794038c0eb9e7a1771a589', created: '2025-03-04T10:05:00Z', eventTypeName: 'ORG_TWO_FACTOR_AUTH_OPTIONAL', orgId: context.org, username: 'alice@example.com', userId: 'u1', remoteAddress: '52.161.45.225' },
  ].map((d) => value(normaliseActivityEvent(d, { org: context.org })));
  const alerts = h.run(events);
  assert.deepEqual(alerts.map((a) => `${a.rule.id}:${a.severity}`), ['network-exposure:high', 'mfa-idp-tampering:high']);
});

test('normalised posture snapshots and diffs: auditing off, open access list, privileged user, role diff', () => {
  const h = harness();
  const before = { takenAt: '2025-03-04T10:00:00.000Z', auditLog: { enabled: true, auditAuthorizationSuccess: false, configurationType: 'NONE' }, databaseUsers: { results: [{ username: 'etl', databaseName: 'admin', roles: [{ roleName: 'read', databaseName: 'x' }] }] } };
  const after = { takenAt: '2025-03-05T10:00:00.000Z', auditLog: { enabled: false, auditAuthorizationSuccess: false, configurationType: 'NONE' }, accessList: { results: [{ cidrBlock: '0.0.0.0/0', comment: 'tmp' }] }, databaseUsers: { results: [{ username: 'etl', databaseName: 'admin', roles: [{ roleName: 'atlasAdmin', databaseName: 'admin' }] }] }, maintenanceWindow: { dayOfWeek: 2, hourOfDay: 3 }, encryptionAtRest: { awsKms: { enabled: false } } };
  const events = [...normalisePostureSnapshot(after, context), ...diffSnapshots(before, after, context)].map(value);
  const rules = h.run(events).map((a) => a.rule.id).sort();
  assert.deepEqual(rules, ['audit-impaired', 'posture-access-list-open', 'posture-auditing-off', 'posture-encryption-no-cmk', 'posture-privileged-users', 'unexpected-role']);
});
