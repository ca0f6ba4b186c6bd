import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, audit, harness, ofRule, only } from './fixtures.ts';

const cfg = only('new-ip');

function daily(user: string, ip: string, fromDay: number, toDay: number): ReturnType<typeof access>[] {
  const out = [];
  for (let d = fromDay; d <= toDay; d++) out.push(access(user, ip, `2025-02-${String(d).padStart(2, '0')}T09:00:00Z`));
  return out;
}

test('new-ip fires on a login from an unseen /24 after the learning period, with known prefixes and since when', () => {
  const h = harness(cfg);
  const history = daily('app_svc', '203.0.113.45', 1, 20);
  const alerts = h.run([...history, access('app_svc', '198.51.100.23', '2025-02-21T10:00:00Z')]);
  assert.equal(alerts.length, 1);
  const a = alerts[0];
  assert.ok(a);
  assert.equal(a.rule.id, 'new-ip');
  assert.equal(a.message, 'first successful login for app_svc from 198.51.100.0/24; known since 2025-02-01: 203.0.113.0/24');
  assert.equal(a.severity, 'medium');
  assert.equal(a.source?.prefix, '198.51.100.0/24');
  assert.equal(a['@timestamp'], '2025-02-21T10:00:00.000Z');
  assert.deepEqual(a.atlas.alert.evidence['known_prefixes'], [{ prefix: '203.0.113.0/24', first_seen: '2025-02-01', last_seen: '2025-02-20' }]);
});

test('new-ip stays silent during the principal learning period', () => {
  const h = harness(cfg);
  const alerts = h.run([...daily('app_svc', '203.0.113.45', 1, 5), access('app_svc', '198.51.100.23', '2025-02-06T10:00:00Z')]);
  assert.equal(alerts.length, 0);
});

test('new-ip honours a learning period of 0 days set in config', () => {
  const h = harness(only('new-ip', 'learningDays: 0'));
  const alerts = h.run([access('app_svc', '203.0.113.45', '2025-02-01T09:00:00Z'), access('app_svc', '198.51.100.23', '2025-02-01T10:00:00Z')]);
  assert.equal(alerts.length, 2);
  assert.match(alerts[1]?.message ?? '', /known since 2025-02-01: 203\.0\.113\.0\/24/);
});

test('new-ip does not fire for another address inside a known /24, nor for repeated identical events', () => {
  const h = harness(cfg);
  const late = access('app_svc', '198.51.100.23', '2025-02-21T10:00:00Z');
  const alerts = h.run([...daily('app_svc', '203.0.113.45', 1, 20), access('app_svc', '203.0.113.200', '2025-02-21T09:00:00Z'), late, late, late]);
  assert.equal(alerts.length, 1);
});

test('new-ip forgets prefixes outside the 30-day lookback', () => {
  const h = harness(cfg);
  const alerts = h.run([
    access('app_svc', '203.0.113.45', '2025-01-01T09:00:00Z'),
    access('app_svc', '192.0.2.10', '2025-01-20T09:00:00Z'),
    // 203.0.113.0/24 last seen 2025-01-01: more than 30 d before 2025-02-15, so it is new again.
    access('app_svc', '203.0.113.45', '2025-02-15T09:00:00Z'),
  ]);
  assert.equal(alerts.length, 2);
  assert.match(alerts[1]?.message ?? '', /from 203\.0\.113\.0\/24; known since 2025-01-20: 192\.0\.2\.0\/24/);
});

test('new-ip buckets IPv6 by /64', () => {
  const h = harness(only('new-ip', 'learningDays: 0'));
  const alerts = h.run([
    access('app_svc', '2001:db8:1:2::10', '2025-02-01T09:00:00Z'),
    access('app_svc', '2001:db8:1:2:ffff::1', '2025-02-01T10:00:00Z'),
    access('app_svc', '2001:db8:1:3::1', '2025-02-01T11:00:00Z'),
  ]);
  assert.deepEqual(alerts.map((a) => a.source?.prefix), ['2001:db8:1:2::/64', '2001:db8:1:3::/64']);
});

test('new-ip ignores Atlas agents, system users, failures and allowlisted CIDRs', () => {
  const h = harness(only('new-ip', 'learningDays: 0\nallowlist:\n  cidrs: ["198.51.100.0/24"]'));
  const alerts = h.run([
    access('app_svc', '203.0.113.45', '2025-02-01T09:00:00Z'),
    access('mms-automation', '192.0.2.1', '2025-02-01T09:00:00Z'),
    access('mms-monitoring-agent', '192.0.2.2', '2025-02-02T09:00:00Z'),
    audit('authenticate', '__system', '2025-02-02T09:00:00Z', { ip: '192.0.2.3', system: true }),
    access('app_svc', '192.0.2.99', '2025-02-03T09:00:00Z', { ok: false }),
    access('app_svc', '198.51.100.7', '2025-02-04T09:00:00Z'),
  ]);
  assert.deepEqual(alerts.map((a) => a.user?.name), ['app_svc']);
  assert.equal(alerts[0]?.source?.ip, '203.0.113.45');
});

test('new-ip is High for a principal acting with a privileged role', () => {
  const h = harness(only('new-ip', 'learningDays: 0'));
  const alerts = h.run([
    access('dba', '203.0.113.45', '2025-02-01T09:00:00Z'),
    audit('authenticate', 'dba', '2025-02-02T09:00:00Z', { ip: '198.51.100.9', roles: ['atlasAdmin@admin'] }),
  ]);
  assert.equal(ofRule(alerts, 'new-ip')[1]?.severity, 'high');
});
