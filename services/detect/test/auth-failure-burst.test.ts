import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, audit, harness, only } from './fixtures.ts';

const cfg = only('auth-failure-burst');
const at = (sec: number) => new Date(Date.UTC(2025, 2, 4, 14, 0, 0) + sec * 1000).toISOString();

test('auth-failure-burst fires at the 10th failure for one user within 10 min', () => {
  const h = harness(cfg);
  const fails = Array.from({ length: 12 }, (_, i) => access('app_svc', '198.51.100.77', at(i * 30), { ok: false }));
  const alerts = h.run(fails);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.['@timestamp'], at(9 * 30));
  assert.equal(alerts[0]?.atlas.alert.evidence_event_ids.length, 10);
  assert.match(alerts[0]?.message ?? '', /^10 failed logins for app_svc within 10 min/);
});

test('auth-failure-burst: 9 failures, or 10 spread over more than 10 min, do not fire', () => {
  assert.equal(harness(cfg).run(Array.from({ length: 9 }, (_, i) => access('app_svc', '198.51.100.77', at(i), { ok: false }))).length, 0);
  assert.equal(harness(cfg).run(Array.from({ length: 10 }, (_, i) => access('app_svc', '198.51.100.77', at(i * 70), { ok: false }))).length, 0);
});

test('auth-failure-burst: the same failure seen in the audit log and access history, or replayed, counts once', () => {
  const h = harness(cfg);
  const events = [];
  for (let i = 0; i < 6; i++) {
    const a = access('app_svc', '198.51.100.77', at(i * 10), { ok: false });
    events.push(a, a, audit('authenticate', 'app_svc', at(i * 10), { ip: '198.51.100.77', result: 18, param: { user: 'app_svc', db: 'admin', mechanism: 'SCRAM-SHA-256' } }));
  }
  assert.equal(h.run(events).length, 0);
});

test('auth-failure-burst detects a password spray: 5 users from one /24', () => {
  const h = harness(cfg);
  const alerts = h.run(['u1', 'u2', 'u3', 'u4', 'u5'].map((u, i) => access(u, `198.51.100.${i + 1}`, at(i * 20), { ok: false })));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.source?.prefix, '198.51.100.0/24');
  assert.match(alerts[0]?.message ?? '', /5 distinct users from 198\.51\.100\.0\/24/);
});

test('auth-failure-burst: a success after the burst raises nothing more here (that is brute-force-success)', () => {
  const h = harness(cfg);
  const fails = Array.from({ length: 10 }, (_, i) => access('app_svc', '198.51.100.77', at(i), { ok: false }));
  const alerts = h.run([...fails, access('app_svc', '198.51.100.77', at(600))]);
  assert.deepEqual(alerts.map((a) => [a.rule.id, a.severity]), [['auth-failure-burst', 'medium']]);
});

test('auth-failure-burst ignores allowlisted principals', () => {
  const h = harness(only('auth-failure-burst', 'allowlist:\n  principals: ["svc_*"]'));
  assert.equal(h.run(Array.from({ length: 12 }, (_, i) => access('svc_batch', '198.51.100.77', at(i), { ok: false }))).length, 0);
});

test('auth-failure-burst: a redelivered old failure in the middle of a burst neither drops nor double-counts the window', () => {
  const h = harness(cfg);
  const old = access('app_svc', '198.51.100.77', at(-1800), { ok: false });
  const burst = Array.from({ length: 10 }, (_, i) => access('app_svc', '198.51.100.77', at(i * 10), { ok: false }));
  const alerts = h.run([old, ...burst.slice(0, 6), old, ...burst.slice(6)]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.['@timestamp'], at(90));
});
