import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, activity, audit, diff, harness, only } from './fixtures.ts';

const at = (min: number) => new Date(Date.UTC(2025, 2, 4, 10, 0, 0) + min * 60_000).toISOString();

test('destructive-operation: first drop from a prefix fires, a second from the same prefix in 14 d does not', () => {
  const h = harness(only('destructive-operation'));
  const alerts = h.run([
    audit('dropCollection', 'app_svc', at(0), { param: { ns: 'sales.tmp' } }),
    audit('dropCollection', 'app_svc', at(120), { param: { ns: 'sales.tmp2' } }),
    audit('dropCollection', 'app_svc', at(60 * 24 * 20), { param: { ns: 'sales.tmp3' } }),
  ]);
  assert.equal(alerts.length, 2);
  assert.match(alerts[0]?.message ?? '', /dropCollection sales\.tmp by app_svc from 203\.0\.113\.0\/24: first destructive operation/);
});

test('destructive-operation: 3 drops in 10 min is a burst; failed drops and agents are ignored', () => {
  const h = harness(only('destructive-operation'));
  const alerts = h.run([
    audit('dropCollection', 'app_svc', at(0), { param: { ns: 'a.1' } }),
    audit('dropCollection', 'app_svc', at(1), { param: { ns: 'a.2' }, result: 26 }),
    audit('dropDatabase', 'mms-automation', at(1), { param: { ns: 'a' } }),
    audit('dropCollection', 'app_svc', at(2), { param: { ns: 'a.3' } }),
    audit('dropDatabase', 'app_svc', at(3), { param: { ns: 'a' } }),
  ]);
  assert.deepEqual(alerts.map((a) => a.atlas.alert.subject.slice(a.atlas.alert.subject.indexOf('@admin/') + 7)), ['new/203.0.113.0/24', 'burst']);
  assert.equal(alerts[1]?.atlas.alert.evidence_event_ids.length, 3);
});

test('dormant-account fires after 90 days without a successful login, not before', () => {
  const h = harness(only('dormant-account'));
  const alerts = h.run([
    access('old_svc', '203.0.113.5', '2025-01-01T10:00:00Z'),
    access('old_svc', '203.0.113.5', '2025-03-01T10:00:00Z'),
    access('old_svc', '203.0.113.5', '2025-06-15T10:00:00Z'),
    access('old_svc', '203.0.113.5', '2025-06-15T10:00:00Z', { ok: false }),
  ]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.message, 'old_svc logged in after 106 d without a successful login (last 2025-03-01)');
});

test('audit-impaired: auditing disabled or filter narrowed in a diff, and alert config deleted', () => {
  const h = harness(only('audit-impaired'));
  const alerts = h.run([
    diff('audit_log', 'changed', 'auditLog', { enabled: true, auditFilter: '{}' }, { enabled: true, auditFilter: '{"atype":"authenticate"}' }, at(0)),
    diff('audit_log', 'changed', 'auditLog', { enabled: true }, { enabled: false }, at(1000)),
    activity('ALERT_CONFIG_DELETED_AUDIT', 'alice@example.com', at(0)),
  ]);
  assert.deepEqual(alerts.map((a) => [a.message, a.severity]), [
    ['audit filter narrowed from everything in 65f0c0ffee0ddba11ab1e5e1', 'medium'],
    ['auditing disabled in 65f0c0ffee0ddba11ab1e5e1', 'high'],
    ['an alert configuration was deleted in 65f0c0ffee0ddba11ab1e5e1 by alice@example.com', 'high'],
  ]);
});

test('destructive-operation: a redelivered old drop inside a burst does not reset the burst window', () => {
  const h = harness(only('destructive-operation'));
  const old = audit('dropCollection', 'app_svc', at(-60), { param: { ns: 'a.0' } });
  const alerts = h.run([
    old,
    audit('dropCollection', 'app_svc', at(0), { param: { ns: 'a.1' } }),
    audit('dropCollection', 'app_svc', at(1), { param: { ns: 'a.2' } }),
    old,
    audit('dropCollection', 'app_svc', at(2), { param: { ns: 'a.3' } }),
  ]);
  assert.deepEqual(alerts.map((a) => a.atlas.alert.subject.endsWith('/burst')), [false, true]);
});
