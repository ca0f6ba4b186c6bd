import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditNormaliser, normaliseAuditLine } from '@atlas-audit/shared/core/normalise/audit';
import { knownAtypes, mapAtype } from '@atlas-audit/shared/core/atype-map';
import { CONTEXT, expectEvent, readFixture } from './helpers.ts';

const lines = readFixture('audit/mongodb-audit-log.ndjson').split('\n');
const byAtype = (atype: string, nth = 0): string => {
  const found = lines.filter((line) => line.includes(`"atype":"${atype}"`) || line.includes(`"atype" : "${atype}"`));
  const line = found[nth];
  if (line === undefined) throw new Error(`fixture has no ${atype} line #${nth}`);
  return line;
};
const normalise = createAuditNormaliser(CONTEXT);

type Row = { atype: string; nth?: number; group: string; category: string[]; type: string[]; outcome: string; reason?: string; user?: string; target?: string; group_name?: string };

const table: Row[] = [
  { atype: 'authenticate', nth: 3, group: 'authentication', category: ['authentication'], type: ['start'], outcome: 'success', user: 'app_svc' },
  { atype: 'authenticate', nth: 4, group: 'authentication', category: ['authentication'], type: ['start'], outcome: 'failure', reason: 'AuthenticationFailed', user: 'app_svc' },
  { atype: 'authenticate', nth: 5, group: 'authentication', category: ['authentication'], type: ['start'], outcome: 'failure', reason: 'UserNotFound', user: 'admin' },
  { atype: 'authenticate', nth: 6, group: 'authentication', category: ['authentication'], type: ['start'], outcome: 'failure', reason: 'MechanismUnavailable', user: 'CN=legacy' },
  { atype: 'authenticate', nth: 7, group: 'authentication', category: ['authentication'], type: ['start'], outcome: 'failure', reason: 'AuthenticationAbandoned', user: 'app_svc' },
  { atype: 'logout', group: 'authentication', category: ['authentication', 'session'], type: ['end'], outcome: 'success', user: 'app_svc' },
  { atype: 'clientMetadata', group: 'authentication', category: ['network', 'session'], type: ['connection', 'info'], outcome: 'success' },
  { atype: 'authCheck', nth: 0, group: 'authorization', category: ['database'], type: ['access', 'allowed'], outcome: 'success', user: 'mms-monitoring-agent' },
  { atype: 'authCheck', nth: 1, group: 'authorization', category: ['database'], type: ['access', 'denied'], outcome: 'failure', reason: 'Unauthorized', user: 'app_svc' },
  { atype: 'createUser', group: 'users', category: ['iam'], type: ['user', 'creation'], outcome: 'success', user: 'dba_ops', target: 'report_ro' },
  { atype: 'updateUser', group: 'users', category: ['iam'], type: ['user', 'change'], outcome: 'success', user: 'dba_ops', target: 'report_ro' },
  { atype: 'grantRolesToUser', group: 'users', category: ['iam'], type: ['user', 'change', 'admin'], outcome: 'success', target: 'report_ro' },
  { atype: 'revokeRolesFromUser', group: 'users', category: ['iam'], type: ['user', 'change', 'admin'], outcome: 'success', target: 'report_ro' },
  { atype: 'dropUser', group: 'users', category: ['iam'], type: ['user', 'deletion'], outcome: 'success', target: 'report_ro' },
  { atype: 'dropAllUsersFromDatabase', group: 'users', category: ['iam'], type: ['user', 'deletion'], outcome: 'success', user: 'dba_ops' },
  { atype: 'createRole', group: 'roles', category: ['iam'], type: ['group', 'creation'], outcome: 'success', group_name: 'salesReader' },
  { atype: 'updateRole', group: 'roles', category: ['iam'], type: ['group', 'change'], outcome: 'success', group_name: 'salesReader' },
  { atype: 'grantRolesToRole', group: 'roles', category: ['iam'], type: ['group', 'change'], outcome: 'success', group_name: 'salesReader' },
  { atype: 'revokeRolesFromRole', group: 'roles', category: ['iam'], type: ['group', 'change'], outcome: 'success', group_name: 'salesReader' },
  { atype: 'grantPrivilegesToRole', group: 'roles', category: ['iam'], type: ['group', 'change'], outcome: 'success', group_name: 'salesReader' },
  { atype: 'revokePrivilegesFromRole', group: 'roles', category: ['iam'], type: ['group', 'change'], outcome: 'success', group_name: 'salesReader' },
  { atype: 'dropRole', group: 'roles', category: ['iam'], type: ['group', 'deletion'], outcome: 'success', group_name: 'salesReader' },
  { atype: 'dropAllRolesFromDatabase', group: 'roles', category: ['iam'], type: ['group', 'deletion'], outcome: 'success' },
  { atype: 'directAuthMutation', group: 'roles', category: ['iam', 'database'], type: ['change', 'admin'], outcome: 'success', user: 'dba_ops' },
  { atype: 'createCollection', group: 'ddl', category: ['database'], type: ['creation'], outcome: 'success' },
  { atype: 'createDatabase', group: 'ddl', category: ['database'], type: ['creation'], outcome: 'success' },
  { atype: 'createIndex', group: 'ddl', category: ['database'], type: ['creation'], outcome: 'failure', reason: 'IndexBuildAborted' },
  { atype: 'dropIndex', group: 'ddl', category: ['database'], type: ['deletion'], outcome: 'success' },
  { atype: 'renameCollection', group: 'ddl', category: ['database'], type: ['change'], outcome: 'success' },
  { atype: 'dropCollection', group: 'ddl', category: ['database'], type: ['deletion'], outcome: 'failure', reason: 'NamespaceNotFound' },
  { atype: 'dropDatabase', group: 'ddl', category: ['database'], type: ['deletion'], outcome: 'success', user: 'app_svc' },
  { atype: 'importCollection', group: 'ddl', category: ['database'], type: ['creation'], outcome: 'success' },
  { atype: 'replSetReconfig', group: 'replication', category: ['configuration', 'database'], type: ['change'], outcome: 'success', user: 'mms-automation' },
  { atype: 'enableSharding', group: 'replication', category: ['configuration', 'database'], type: ['change'], outcome: 'success' },
  { atype: 'shardCollection', group: 'replication', category: ['configuration', 'database'], type: ['change'], outcome: 'success' },
  { atype: 'refineCollectionShardKey', group: 'replication', category: ['configuration', 'database'], type: ['change'], outcome: 'success' },
  { atype: 'addShard', group: 'replication', category: ['configuration', 'database'], type: ['creation'], outcome: 'success' },
  { atype: 'removeShard', group: 'replication', category: ['configuration', 'database'], type: ['deletion'], outcome: 'success' },
  { atype: 'getClusterParameter', group: 'cluster_parameters', category: ['configuration'], type: ['access'], outcome: 'success' },
  { atype: 'setClusterParameter', group: 'cluster_parameters', category: ['configuration'], type: ['change'], outcome: 'success' },
  { atype: 'updateCachedClusterServerParameter', group: 'cluster_parameters', category: ['configuration'], type: ['change'], outcome: 'success' },
  { atype: 'startup', group: 'process', category: ['process'], type: ['start'], outcome: 'success' },
  { atype: 'shutdown', group: 'process', category: ['process'], type: ['end'], outcome: 'success' },
  { atype: 'applicationMessage', group: 'process', category: ['process'], type: ['info'], outcome: 'success' },
  { atype: 'rotateLog', group: 'process', category: ['process'], type: ['change'], outcome: 'success' },
  { atype: 'auditConfigure', group: 'process', category: ['configuration'], type: ['change'], outcome: 'success' },
  { atype: 'quantumEntangle', group: 'unknown', category: ['database'], type: ['info'], outcome: 'success', user: 'app_svc' },
];

for (const row of table) {
  test(`audit ${row.atype}${row.nth === undefined ? '' : ` #${row.nth}`} maps to ${row.category.join('+')}/${row.type.join('+')}/${row.outcome}`, () => {
    const event = expectEvent(normalise(byAtype(row.atype, row.nth ?? 0), 0));
    assert.equal(mapAtype(row.atype).group, row.group);
    assert.equal(event.event.action, row.atype);
    assert.equal(event.atlas.atype, row.atype);
    assert.deepEqual(event.event.category, row.category);
    assert.deepEqual(event.event.type, row.type);
    assert.equal(event.event.outcome, row.outcome);
    assert.equal(event.event.reason, row.reason);
    assert.equal(event.event.dataset, 'atlas.audit');
    if (row.user !== undefined) assert.equal(event.user?.name, row.user);
    if (row.target !== undefined) assert.equal(event.user?.target?.name, row.target);
    if (row.group_name !== undefined) assert.equal(event.group?.name, row.group_name);
  });
}

test('the fixture and the table cover every mapped atype', () => {
  const covered = new Set(table.map((row) => row.atype));
  assert.deepEqual(knownAtypes.filter((atype) => !covered.has(atype)), []);
});

test('a successful SCRAM authenticate carries source, server, connection uuid, mechanism and coordinates', () => {
  const event = expectEvent(normalise(byAtype('authenticate', 3), 0));
  assert.equal(event['@timestamp'], '2025-03-04T14:07:12.345Z');
  assert.deepEqual(event.source, { ip: '203.0.113.45', port: 52114 });
  assert.deepEqual(event.server, { ip: '192.168.240.12', port: 27017 });
  assert.equal(event.atlas.connection_uuid, '3f2a9c1e-4b7d-4e8f-a1c2-d3e4f5a6b7c8');
  assert.equal(event.atlas.mechanism, 'SCRAM-SHA-256');
  assert.equal(event.atlas.auth_source, 'admin');
  assert.equal(event.atlas.is_system_user, false);
  assert.deepEqual(event.atlas.result, { code: 0, name: 'OK' });
  assert.equal(event.user?.domain, 'admin');
  assert.deepEqual(event.related, { ip: ['203.0.113.45', '192.168.240.12'], user: ['app_svc'] });
  assert.deepEqual(event.cloud, { provider: 'mongodb_atlas', project: { id: CONTEXT.project } });
  assert.deepEqual(event.host, { name: CONTEXT.host });
  assert.deepEqual(event.service, { name: 'Cluster0', type: 'mongodb' });
  assert.deepEqual(event.atlas.source_coordinates, { occurrence: 0, project: CONTEXT.project, host: CONTEXT.host, log_name: 'mongodb-audit-log' });
});

test('$date as epoch number, as $numberLong and with a +0000 offset all become ISO ms UTC', () => {
  assert.equal(expectEvent(normalise(byAtype('authenticate', 8), 0))['@timestamp'], '2025-03-04T14:08:20.000Z');
  assert.equal(expectEvent(normalise(byAtype('authenticate', 9), 0))['@timestamp'], '2025-03-04T14:08:21.000Z');
  const old = expectEvent(normalise(byAtype('authenticate', 10), 0));
  assert.equal(old['@timestamp'], '2025-03-04T14:08:30.000Z');
  assert.equal(old.atlas.raw_timestamp, '2025-03-04T14:08:30.000+0000');
  assert.equal(old.atlas.connection_uuid, undefined, '4.2-style line has no uuid');
});

test('isSystemUser and unix-socket endpoints are kept without inventing an IP', () => {
  const startup = expectEvent(normalise(byAtype('startup'), 0));
  assert.equal(startup.atlas.is_system_user, true);
  assert.equal(startup.source, undefined);
  const message = expectEvent(normalise(byAtype('applicationMessage'), 0));
  assert.deepEqual(message.source, { address: '/tmp/mongodb-27017.sock' });
  assert.equal(message.atlas.unix_socket, '/tmp/mongodb-27017.sock');
  assert.deepEqual(message.related.ip, []);
});

test('user management carries actor, target and target roles as role@db', () => {
  const created = expectEvent(normalise(byAtype('createUser'), 0));
  assert.deepEqual(created.user, { name: 'dba_ops', domain: 'admin', roles: ['userAdminAnyDatabase@admin'], target: { name: 'report_ro', domain: 'admin', roles: ['read@reporting'] } });
  assert.deepEqual(created.related.user, ['dba_ops', 'report_ro']);
  const revoked = expectEvent(normalise(byAtype('revokeRolesFromUser'), 0));
  assert.deepEqual(revoked.user?.target?.roles, ['read']);
});

test('directAuthMutation never leaks the credentials document under the default policy', () => {
  const event = expectEvent(normalise(byAtype('directAuthMutation'), 0));
  const text = JSON.stringify(event);
  assert.ok(!text.includes('c2VjcmV0'), 'stored key must be masked');
  assert.equal(event.atlas.param?.['ns'], 'admin.system.users');
  assert.equal(event.atlas.param?.['operation'], 'insert');
});

test('a mongos line with intermediates lists every hop in related.ip', () => {
  const line = readFixture('audit/mongos-audit-log.ndjson').split('\n')[1] ?? '';
  const event = expectEvent(normaliseAuditLine(line, 0, { ...CONTEXT, logName: 'mongos-audit-log' }));
  assert.deepEqual(event.related.ip, ['203.0.113.45', '10.0.0.5', '192.168.240.30']);
  assert.equal(event.atlas.log_name, 'mongos-audit-log');
  assert.equal(event.event.type.includes('deletion'), true);
});

test('bad lines become reasons, not events', () => {
  const cases: [string, RegExp][] = [
    ['', /blank/],
    ['   ', /blank/],
    ['No data for given time period or host is unreachable', /no-data/],
    ['this is not json at all', /invalid JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"ts":{"$date":"2025-03-04T14:13:14.000+00:00"}}', /missing atype/],
    ['{"atype":"authenticate","ts":{"$date":"not a date"}}', /^ts:/],
    ['{"atype":"authenticate","ts":{"$date":"2025-02-31T00:00:00.000Z"}}', /^ts:/],
    ['{"atype":"authenticate"}', /^ts:/],
    [lines[lines.length - 1] ?? '', /invalid JSON/],
  ];
  for (const [line, reason] of cases) {
    const result = normalise(line, 0);
    assert.equal(result.ok, false, line);
    if (!result.ok) assert.match(result.reason, reason);
  }
});

test('CRLF and byte input give the same event as the text line', () => {
  const line = byAtype('authenticate', 3);
  const fromText = expectEvent(normalise(line, 0));
  const fromBytes = expectEvent(normalise(Buffer.from(line, 'utf8'), 0));
  assert.deepEqual(fromBytes, fromText);
  const crlf = expectEvent(normalise(`${line}\r`, 0));
  assert.equal(crlf['@timestamp'], fromText['@timestamp']);
});

test('invalid UTF-8 inside a line still yields an event (bytes replaced), so it cannot hide a failed login', () => {
  const bytes = Buffer.concat([Buffer.from('{"atype":"authenticate","ts":{"$date":"2025-03-04T14:21:01.000+00:00"},"param":{"user":"app'), Buffer.from([0xff, 0xfe]), Buffer.from('svc","db":"admin"},"result":18}')]);
  const event = expectEvent(normalise(bytes, 0));
  assert.equal(event.event.outcome, 'failure');
  assert.equal(event.user?.name, 'app\uFFFD\uFFFDsvc');
});

test('empty context strings are left out rather than producing invalid events', () => {
  const event = expectEvent(normaliseAuditLine(byAtype('authenticate', 3), 0, { project: '', host: '', cluster: '', logName: '' }));
  assert.equal(event.host, undefined);
  assert.equal(event.service, undefined);
  assert.equal(event.cloud.project, undefined);
  assert.deepEqual(event.atlas.source_coordinates, { occurrence: 0 });
});

test('events do not share arrays with the mapping table', () => {
  const first = expectEvent(normalise(byAtype('authenticate', 3), 0));
  first.event.category.push('web');
  const second = expectEvent(normalise(byAtype('authenticate', 3), 0));
  assert.deepEqual(second.event.category, ['authentication']);
});

test('connection uuids decode from legacy and canonical $binary, and only well-formed 16-byte values', async () => {
  const fc = (await import('fast-check')).default;
  const withUuid = (uuid: unknown): string | undefined => expectEvent(normalise(JSON.stringify({ atype: 'logout', ts: { $date: '2025-03-04T14:07:12.345Z' }, uuid }), 0)).atlas.connection_uuid;
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const hex = Buffer.from(bytes).toString('hex');
      const expected = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      const base64 = Buffer.from(bytes).toString('base64');
      assert.equal(withUuid({ $binary: base64, $type: '04' }), expected);
      assert.equal(withUuid({ $binary: { base64, subType: '04' } }), expected);
    }),
    { numRuns: 500 },
  );
  for (const bad of ['PyqcHkt9To+hwtPk9aa3yB==', 'PyqcHkt9To+hwtPk9aa3y===', 'PyqcHkt9To+hwtPk9aa3', 'PyqcHkt9To+hwtPk9a*3yA==', 'PyqcHkt9To+hwtPk9aa3yA=', 42]) {
    assert.equal(withUuid({ $binary: bad, $type: '04' }), undefined, String(bad));
  }
});
