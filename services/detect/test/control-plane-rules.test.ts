import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activity, harness, only } from './fixtures.ts';

const T = '2025-03-04T10:00:00Z';

const networkCases: Array<{ entry: string; fires: boolean }> = [
  { entry: '0.0.0.0/0', fires: true },
  { entry: '::/0', fires: true },
  { entry: '10.0.0.0/8', fires: true },
  { entry: '203.0.113.0/24', fires: false },
  { entry: '198.51.100.7/32', fires: false },
  { entry: '2001:db8::/48', fires: false },
];
for (const c of networkCases) {
  test(`network-exposure: access-list entry ${c.entry} ${c.fires ? 'fires' : 'does not fire'}`, () => {
    const alerts = harness(only('network-exposure')).run([activity('NETWORK_PERMISSION_ENTRY_ADDED', 'alice@example.com', T, { entry: c.entry })]);
    assert.equal(alerts.length, c.fires ? 1 : 0);
    if (c.fires) assert.equal(alerts[0]?.severity, 'high');
  });
}

test('network-exposure: public ranges outside approvedCidrs fire when a register is configured', () => {
  const h = harness(only('network-exposure', 'approvedCidrs: ["203.0.113.0/24"]'));
  const alerts = h.run([
    activity('NETWORK_PERMISSION_ENTRY_ADDED', 'alice@example.com', T, { entry: '203.0.113.128/25' }),
    activity('NETWORK_PERMISSION_ENTRY_ADDED', 'alice@example.com', T, { entry: '198.51.100.0/24' }),
    activity('NETWORK_PERMISSION_ENTRY_ADDED', 'alice@example.com', T, { entry: '192.168.10.0/24' }),
  ]);
  assert.deepEqual(alerts.map((a) => a.atlas.alert.evidence['cidr']), ['198.51.100.0/24']);
});

test('network-exposure fires when the API access list stops being required', () => {
  const alerts = harness(only('network-exposure')).run([activity('ORG_PUBLIC_API_ACCESS_LIST_NOT_REQUIRED', 'alice@example.com', T)]);
  assert.equal(alerts.length, 1);
  assert.match(alerts[0]?.message ?? '', /Admin API access list is no longer required by alice@example.com/);
});

test('mfa-idp-tampering: weakening is High, other IdP updates Medium, unrelated events nothing', () => {
  const alerts = harness(only('mfa-idp-tampering')).run([
    activity('ORG_TWO_FACTOR_AUTH_OPTIONAL', 'alice@example.com', T),
    activity('IDENTITY_PROVIDER_DEACTIVATED', 'alice@example.com', T),
    activity('FEDERATION_SETTINGS_UPDATED', 'alice@example.com', T),
    activity('MULTI_FACTOR_AUTH_RESET_AUDIT', 'alice@example.com', T, { target: 'bob@example.com' }),
    activity('ORG_TWO_FACTOR_AUTH_REQUIRED', 'alice@example.com', T),
    activity('JOINED_GROUP', 'alice@example.com', T),
  ]);
  assert.deepEqual(alerts.map((a) => [a.atlas.alert.evidence['event_type'], a.severity]), [
    ['ORG_TWO_FACTOR_AUTH_OPTIONAL', 'high'],
    ['IDENTITY_PROVIDER_DEACTIVATED', 'high'],
    ['FEDERATION_SETTINGS_UPDATED', 'medium'],
    ['MULTI_FACTOR_AUTH_RESET_AUDIT', 'high'],
  ]);
});

test('mfa-idp-tampering: repeated identical events within an hour raise one alert', () => {
  const alerts = harness(only('mfa-idp-tampering')).run([
    activity('ORG_TWO_FACTOR_AUTH_OPTIONAL', 'alice@example.com', '2025-03-04T10:00:00Z'),
    activity('ORG_TWO_FACTOR_AUTH_OPTIONAL', 'alice@example.com', '2025-03-04T10:30:00Z'),
    activity('ORG_TWO_FACTOR_AUTH_OPTIONAL', 'alice@example.com', '2025-03-04T11:30:00Z'),
  ]);
  assert.equal(alerts.length, 2);
});

test('new-credential: API keys and database users fire, approved automation does not, privileged roles make it High', () => {
  const h = harness(only('new-credential', 'automationPrincipals: ["terraform-*"]'));
  const alerts = h.run([
    activity('API_KEY_CREATED', 'alice@example.com', T, { target: 'nmtxqlkl' }),
    activity('MONGODB_USER_ADDED', 'terraform-ci', T, { extra: { db_user_username: 'etl' } }),
    activity('MONGODB_USER_ADDED', 'alice@example.com', T, { extra: { db_user_username: 'etl2' }, target: 'etl2', targetRoles: ['atlasAdmin@admin'] }),
  ]);
  assert.deepEqual(alerts.map((a) => [a.atlas.alert.evidence['credential'], a.severity]), [['nmtxqlkl', 'medium'], ['etl2', 'high']]);
});

test('new-credential: the same credential is reported once', () => {
  const h = harness(only('new-credential'));
  const e = activity('SERVICE_ACCOUNT_CREATED', 'alice@example.com', T, { target: 'mdb_sa_id_1' });
  assert.equal(h.run([e, e, activity('SERVICE_ACCOUNT_CREATED', 'alice@example.com', '2025-03-05T10:00:00Z', { target: 'mdb_sa_id_1' })]).length, 1);
});

test('external-principal: domains outside allowedDomains fire, subdomains of allowed ones do not', () => {
  const h = harness(only('external-principal', 'allowedDomains: ["example.com"]'));
  const alerts = h.run([
    activity('INVITED_TO_ORG', 'alice@example.com', T, { target: 'mallory@evil.test' }),
    activity('INVITED_TO_ORG', 'alice@example.com', T, { target: 'carol@eu.example.com' }),
    activity('JOINED_GROUP', 'eve@contractor.test', T, { targetRoles: ['GROUP_OWNER'] }),
  ]);
  assert.deepEqual(alerts.map((a) => a.atlas.alert.evidence['member']), ['mallory@evil.test', 'eve@contractor.test']);
});

test('external-principal without allowedDomains compares with the inviter domain', () => {
  const h = harness(only('external-principal'));
  const alerts = h.run([
    activity('INVITED_TO_GROUP', 'alice@example.com', T, { target: 'bob@example.com' }),
    activity('INVITED_TO_GROUP', 'alice@example.com', T, { target: 'x@gmail.test', targetRoles: ['GROUP_OWNER'] }),
  ]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.severity, 'high');
  assert.match(alerts[0]?.message ?? '', /differs from the inviter's example\.com/);
});

test('side-door-access: Data Explorer by an actor outside the allowed set fires; allowed actors only off hours', () => {
  const h = harness(only('side-door-access', 'allowedActors: ["dba@example.com"]'));
  const alerts = h.run([
    activity('DATA_EXPLORER_CRUD', 'dev@example.com', '2025-03-04T10:00:00Z', { extra: { database: 'hr', collection: 'salaries', op_type: 'find' } }),
    activity('DATA_EXPLORER_CRUD', 'dba@example.com', '2025-03-04T10:00:00Z'),
    activity('DATA_EXPLORER', 'dba@example.com', '2025-03-08T10:00:00Z'),
  ]);
  assert.deepEqual(alerts.map((a) => [a.user?.name, a.severity]), [['dev@example.com', 'medium'], ['dba@example.com', 'low']]);
  assert.match(alerts[0]?.message ?? '', /DATA_EXPLORER_CRUD \(hr salaries find\) by dev@example.com/);
});
