import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activity, audit, harness, only } from './fixtures.ts';

const berlin = only('off-hours-admin', '', 'businessHours:\n  timeZone: Europe/Berlin\n  holidays: ["2025-12-25"]\n  principalTimeZones:\n    - { principal: "ops_tokyo", timeZone: Asia/Tokyo }');

const cases: Array<{ name: string; at: string; user?: string; action?: string; fires: boolean; why?: RegExp }> = [
  { name: 'Friday 18:00 Berlin (17:00Z) is inside', at: '2025-03-28T17:00:00Z', fires: false },
  { name: 'Friday 21:30 Berlin is outside', at: '2025-03-28T20:30:00Z', fires: true, why: /outside 07:00–20:00/ },
  { name: 'Saturday noon is a non-working day', at: '2025-03-29T11:00:00Z', fires: true, why: /non-working day \(sat\)/ },
  { name: 'before DST, 05:30Z is 06:30 CET: outside', at: '2025-03-28T05:30:00Z', fires: true, why: /2025-03-28 06:30 Europe\/Berlin/ },
  { name: 'after DST, 05:30Z is 07:30 CEST: inside', at: '2025-03-31T05:30:00Z', fires: false },
  { name: 'after DST, 18:30Z is 20:30 CEST: outside', at: '2025-03-31T18:30:00Z', fires: true, why: /20:30 Europe\/Berlin/ },
  { name: 'a configured holiday on a Thursday is outside', at: '2025-12-25T10:00:00Z', fires: true, why: /holiday 2025-12-25/ },
  { name: 'the day after the holiday is inside', at: '2025-12-26T10:00:00Z', fires: false },
  { name: 'per-principal zone: 01:00Z is 10:00 in Tokyo', at: '2025-03-27T01:00:00Z', user: 'ops_tokyo', fires: false },
  { name: 'per-principal zone: 13:00Z is 22:00 in Tokyo', at: '2025-03-27T13:00:00Z', user: 'ops_tokyo', fires: true, why: /Asia\/Tokyo/ },
  { name: 'a read-only action is never admin-class', at: '2025-03-29T11:00:00Z', action: 'authCheck', fires: false },
];

for (const c of cases) {
  test(`off-hours-admin: ${c.name}`, () => {
    const h = harness(berlin);
    const alerts = h.run([audit(c.action ?? 'dropCollection', c.user ?? 'dba_ops', c.at, { param: { ns: 'sales.orders' } })]);
    assert.equal(alerts.length, c.fires ? 1 : 0);
    if (c.why) assert.match(alerts[0]?.message ?? '', c.why);
  });
}

test('off-hours-admin is High for role grants and skips Atlas agents', () => {
  const h = harness(berlin);
  const alerts = h.run([
    audit('grantRolesToUser', 'mms-automation', '2025-03-29T11:00:00Z', { param: { user: 'x', db: 'admin', roles: [{ role: 'read', db: 'a' }] } }),
    audit('grantRolesToUser', 'dba_ops', '2025-03-29T11:00:00Z', { param: { user: 'x', db: 'admin', roles: [{ role: 'read', db: 'a' }] } }),
  ]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.user?.name, 'dba_ops');
  assert.equal(alerts[0]?.severity, 'high');
});

test('off-hours-admin suppresses repeats for the actor within the suppression window (4 h default)', () => {
  const h = harness(berlin);
  const alerts = h.run([
    activity('NETWORK_PERMISSION_ENTRY_REMOVED', 'alice@example.com', '2025-03-29T11:00:00Z'),
    activity('MONGODB_USER_DELETED', 'alice@example.com', '2025-03-29T12:00:00Z'),
    activity('MONGODB_USER_DELETED', 'alice@example.com', '2025-03-29T16:00:00Z'),
  ]);
  assert.equal(alerts.length, 2);
  assert.notEqual(alerts[0]?.event.id, alerts[1]?.event.id);
});

test('off-hours-admin learns an on-call habit: a slot used on 3 earlier days no longer alerts; other slots still do', () => {
  const h = harness(berlin);
  const saturdays = ['2025-03-01', '2025-03-08', '2025-03-15', '2025-03-22'];
  const alerts = h.run([
    ...saturdays.map((d) => audit('dropCollection', 'oncall_dba', `${d}T22:10:00Z`, { param: { ns: 'x.y' } })),
    audit('dropCollection', 'oncall_dba', '2025-03-23T03:10:00Z', { param: { ns: 'x.y' } }),
  ]);
  assert.deepEqual(alerts.map((a) => a['@timestamp'].slice(0, 10)), ['2025-03-01', '2025-03-08', '2025-03-15', '2025-03-23']);
  assert.equal(alerts[2]?.atlas.alert.evidence['earlier_days_in_slot'], 2);
});

test('off-hours-admin with activeSlotDays 0 judges by the calendar only', () => {
  const h = harness(only('off-hours-admin', 'activeSlotDays: 0', 'businessHours:\n  timeZone: Europe/Berlin'));
  const alerts = h.run(['2025-03-01', '2025-03-08', '2025-03-15', '2025-03-22'].map((d) => audit('dropCollection', 'oncall_dba', `${d}T22:10:00Z`, { param: { ns: 'x.y' } })));
  assert.equal(alerts.length, 4);
});
