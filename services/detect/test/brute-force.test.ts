import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { access, audit, harness, only } from './fixtures.ts';

const at = (sec: number) => new Date(Date.UTC(2025, 2, 4, 2, 0, 0) + sec * 1000).toISOString();
const ATTACKER = '185.220.101.4';
const fail = (user: string, sec: number, ip = ATTACKER) => access(user, ip, at(sec), { ok: false });
const ok = (user: string, sec: number, ip = ATTACKER) => access(user, ip, at(sec));
const auditFail = (user: string, sec: number, ip = ATTACKER) => audit('authenticate', user, at(sec), { ip, result: 18, param: { user, db: 'admin', mechanism: 'SCRAM-SHA-256' } });
const denied = (user: string, sec: number, ns = 'ledger.entries') => audit('authCheck', user, at(sec), { ip: ATTACKER, result: 13, param: { command: 'find', ns } });
/** The demo's tom.analyst: 25 failures in 2 min, then a success from the same address 1 s after the last. */
const bruteForce = (user = 'tom.analyst'): AtlasEvent[] => [...Array.from({ length: 25 }, (_, i) => fail(user, i * 5)), ok(user, 126)];

type Case = { name: string; yaml?: string; events: AtlasEvent[]; alerts: number };
const count = (ruleId: string, c: Case) => harness(only(ruleId, c.yaml ?? '')).run(c.events).filter((a) => a.rule.id === ruleId).length;

const bruteForceCases: Case[] = [
  { name: '25 failures then a success from the same address', events: bruteForce(), alerts: 1 },
  { name: 'the same, as access history delivers it: newest first', events: bruteForce().reverse(), alerts: 1 },
  { name: 'the same, every event twice and the whole stream replayed', events: [...bruteForce().flatMap((e) => [e, e]), ...bruteForce()], alerts: 1 },
  { name: 'failures from the audit log and access history (same attempts) then a success', events: [...Array.from({ length: 10 }, (_, i) => [fail('u', i * 5), auditFail('u', i * 5)]).flat(), ok('u', 60)], alerts: 1 },
  { name: '9 failures then a success', events: [...Array.from({ length: 9 }, (_, i) => fail('u', i * 5)), ok('u', 60)], alerts: 0 },
  { name: 'the success 31 min after the failures', events: [...Array.from({ length: 25 }, (_, i) => fail('u', i * 5)), ok('u', 125 + 31 * 60)], alerts: 0 },
  { name: 'the legitimate service logging in from its own subnet during a spray', events: [...Array.from({ length: 25 }, (_, i) => fail('checkout-api', i * 5)), ok('checkout-api', 126, '203.0.113.45')], alerts: 0 },
  { name: 'failures before, no success', events: Array.from({ length: 25 }, (_, i) => fail('u', i * 5)), alerts: 0 },
  { name: 'an allowlisted principal', yaml: 'allowlist:\n  principals: ["pentest-*"]', events: bruteForce('pentest-bot'), alerts: 0 },
  { name: 'an Atlas agent', events: bruteForce('mms-automation'), alerts: 0 },
];

for (const c of bruteForceCases) {
  test(`brute-force-success: ${c.name} → ${c.alerts} alert(s)`, () => assert.equal(count('brute-force-success', c), c.alerts));
}

test('brute-force-success is critical and names the principal, the address block and the failures', () => {
  const [alert] = harness(only('brute-force-success')).run(bruteForce());
  assert.equal(alert?.severity, 'critical');
  assert.equal(alert?.user?.name, 'tom.analyst');
  assert.equal(alert?.message, 'successful login for tom.analyst from 185.220.101.0/24 after 25 failed logins within 30 min (first 2025-03-04T02:00:00.000Z): credential likely compromised');
  assert.equal(alert?.atlas.alert.evidence_event_ids.length, 26);
});

const authzCases: Case[] = [
  { name: "60 authCheck failures in 9 s (the demo's tom.analyst)", events: Array.from({ length: 60 }, (_, i) => denied('tom.analyst', i * 0.15)), alerts: 1 },
  { name: 'the same, newest first', events: Array.from({ length: 60 }, (_, i) => denied('tom.analyst', i * 0.15)).reverse(), alerts: 1 },
  { name: 'the same, every event twice', events: Array.from({ length: 60 }, (_, i) => denied('tom.analyst', i * 0.15)).flatMap((e) => [e, e]), alerts: 1 },
  { name: '19 failures', events: Array.from({ length: 19 }, (_, i) => denied('u', i)), alerts: 0 },
  { name: 'one failure replayed 30 times', events: Array.from({ length: 30 }, () => denied('u', 0)).map((e, _, all) => all[0] ?? e), alerts: 0 },
  { name: '20 failures spread over more than 10 min', events: Array.from({ length: 20 }, (_, i) => denied('u', i * 40)), alerts: 0 },
  { name: '20 authCheck successes', events: Array.from({ length: 20 }, (_, i) => audit('authCheck', 'u', at(i), { param: { command: 'find', ns: 'a.b' } })), alerts: 0 },
  { name: 'an Atlas agent', events: Array.from({ length: 30 }, (_, i) => denied('mms-monitoring-agent', i)), alerts: 0 },
  { name: 'an allowlisted principal', yaml: 'allowlist:\n  principals: ["scanner"]', events: Array.from({ length: 30 }, (_, i) => denied('scanner', i)), alerts: 0 },
  { name: 'threshold 5: 5 failures', yaml: 'threshold: 5', events: Array.from({ length: 5 }, (_, i) => denied('u', i)), alerts: 1 },
];

for (const c of authzCases) {
  test(`authz-failure-burst: ${c.name} → ${c.alerts} alert(s)`, () => assert.equal(count('authz-failure-burst', c), c.alerts));
}

test('authz-failure-burst names the principal and what was refused', () => {
  const [alert] = harness(only('authz-failure-burst')).run(Array.from({ length: 60 }, (_, i) => denied('tom.analyst', i * 0.15)));
  assert.equal(alert?.message, '20 authorization failures for tom.analyst within 10 min (threshold 20) on find ledger.entries');
  assert.equal(alert?.severity, 'medium');
  assert.deepEqual(alert?.atlas.alert.evidence['targets'], ['find ledger.entries']);
});

/** The demo's spray: 120 attempts over 4 min from one address, rotating checkout-api and four unknown names. */
const spray = (): AtlasEvent[] => Array.from({ length: 120 }, (_, i) => fail(['checkout-api', 'admin', 'root', 'test', 'mongo'][i % 5] ?? 'x', i * 2));

const burstCases: Case[] = [
  { name: 'password spray incl. the service account checkout-api: one prefix alert and one per user', events: spray(), alerts: 6 },
  { name: 'the spray as access history delivers it (newest first)', events: spray().reverse(), alerts: 6 },
  { name: 'a burst that arrives after a much newer failure of the same user from another stream', events: [fail('checkout-api', 10 * 3600, '203.0.113.45'), ...Array.from({ length: 24 }, (_, i) => fail('checkout-api', i * 10))], alerts: 1 },
  { name: 'the spray with checkout-api allowlisted: no alert for it, the prefix alert still counts it', yaml: 'allowlist:\n  principals: ["checkout-api"]', events: spray(), alerts: 5 },
  { name: 'one failure each for admin, root, test, mongo, then checkout-api (allowlisted) completes the spray', yaml: 'allowlist:\n  principals: ["checkout-api"]', events: ['admin', 'root', 'test', 'mongo', 'checkout-api'].map((u, i) => fail(u, i)), alerts: 1 },
  { name: 'the spray from an allowlisted address block', yaml: 'allowlist:\n  cidrs: ["185.220.101.0/24"]', events: spray(), alerts: 0 },
  { name: 'four distinct users only', events: Array.from({ length: 40 }, (_, i) => fail(['a', 'b', 'c', 'd'][i % 4] ?? 'x', i * 2)), alerts: 4 },
];

for (const c of burstCases) {
  test(`auth-failure-burst: ${c.name} → ${c.alerts} alert(s)`, () => assert.equal(count('auth-failure-burst', c), c.alerts));
}

test('auth-failure-burst: the spray alert lists checkout-api among the users', () => {
  const alerts = harness(only('auth-failure-burst')).run(spray());
  const prefix = alerts.find((a) => a.atlas.alert.subject.includes('/prefix/'));
  assert.deepEqual([...(prefix?.atlas.alert.evidence['users'] as string[])].sort(), ['admin', 'checkout-api', 'mongo', 'root', 'test']);
  assert.deepEqual(alerts.filter((a) => a.atlas.alert.subject.includes('/user/')).map((a) => a.user?.name).sort(), ['admin', 'checkout-api', 'mongo', 'root', 'test']);
});
