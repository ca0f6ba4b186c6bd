import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toOcsfDetectionFinding } from '../src/core/ocsf.ts';
import { hecAckIdOf, hecBody, isHecAcked } from '../src/core/hec.ts';
import { signWebhook, verifyWebhook } from '../src/core/webhook-signature.ts';
import { decodeParkedHeaders, encodeParkedHeaders, notBeforeOf } from '../src/core/park.ts';
import { parseAlert } from '../src/core/parse-alert.ts';
import { sampleAlert } from './fixtures.ts';

const product = { name: 'atlas-audit', vendor: 'Atlas Audit', version: '0.1.0' };

test('OCSF Detection Finding: class 2004, stable uid, ATT&CK and evidence', () => {
  const alert = sampleAlert({ severity: 'high' });
  const f = toOcsfDetectionFinding(alert, product) as Record<string, unknown>;
  assert.equal(f['class_uid'], 2004);
  assert.equal(f['category_uid'], 2);
  assert.equal(f['type_uid'], 200401);
  assert.equal(f['severity_id'], 4);
  assert.equal(f['time'], Date.parse(alert['@timestamp']));
  const info = f['finding_info'] as Record<string, unknown>;
  assert.equal(info['uid'], alert.event.id);
  assert.equal((f['metadata'] as Record<string, unknown>)['uid'], alert.event.id);
  assert.deepEqual(info['related_events'], [{ uid: 'e1' }, { uid: 'e2' }]);
  assert.equal(info['related_events_count'], 2);
  assert.deepEqual((info['attacks'] as unknown[])[0], { version: 'v15', tactic: { uid: 'TA0001', name: 'Initial Access' }, technique: { uid: 'T1078', name: 'Valid Accounts' } });
  assert.deepEqual(f['actor'], { user: { name: 'app_svc', domain: 'admin' } });
  assert.deepEqual(toOcsfDetectionFinding(alert, product), f, 'deterministic');
});

test('HEC body: one envelope per alert with epoch-second time and the alert id as an indexed field', () => {
  const a = sampleAlert({ id: 'a'.repeat(64) });
  const b = sampleAlert({ id: 'b'.repeat(64) });
  const lines = hecBody([a, b], { host: 'h', source: 'atlas-audit', sourcetype: 'atlas:alert', index: 'sec' }).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 2);
  assert.equal(lines[0]?.['time'], 1741097232.345);
  assert.equal(lines[0]?.['index'], 'sec');
  assert.deepEqual(lines[1]?.['fields'], { alert_id: 'b'.repeat(64), rule_id: 'D3', severity: 'medium' });
  assert.equal(hecAckIdOf({ text: 'Success', code: 0, ackId: 7 }), 7);
  assert.equal(hecAckIdOf({ text: 'Success', code: 0 }), undefined);
  assert.equal(isHecAcked({ acks: { '7': true } }, 7), true);
  assert.equal(isHecAcked({ acks: { '7': false } }, 7), false);
  assert.equal(isHecAcked('nope', 7), false);
});

test('webhook signatures verify, and fail on a changed body, wrong secret, or stale timestamp', () => {
  const body = '{"a":1}';
  const header = signWebhook('s3cret', 1_700_000_000, body);
  assert.match(header, /^t=1700000000,v1=[0-9a-f]{64}$/);
  assert.equal(verifyWebhook('s3cret', header, body, 1_700_000_010, 300), true);
  assert.equal(verifyWebhook('s3cret', header, '{"a":2}', 1_700_000_010, 300), false);
  assert.equal(verifyWebhook('other', header, body, 1_700_000_010, 300), false);
  assert.equal(verifyWebhook('s3cret', header, body, 1_700_001_000, 300), false);
  assert.equal(verifyWebhook('s3cret', 'garbage', body, 1_700_000_010, 300), false);
});

test('parked headers round-trip; malformed ones are rejected; not-before grows with attempts', () => {
  const h = { sink: 'hec', attempt: 3, notBeforeMs: 1234, alertId: 'x' };
  assert.deepEqual(decodeParkedHeaders(encodeParkedHeaders(h)), h);
  assert.equal(decodeParkedHeaders({}), undefined);
  assert.equal(decodeParkedHeaders({ 'atlas-siem-sink': 'x', 'atlas-siem-attempt': 'zero' }), undefined);
  assert.equal(notBeforeOf(1000, 1, 500, 60_000, () => 0), 1500);
  assert.equal(notBeforeOf(1000, 20, 500, 60_000, () => 1), 61_000);
});

test('parseAlert accepts an alert and turns bad input into reasons', () => {
  const good = parseAlert(JSON.stringify(sampleAlert()));
  assert.ok(good.ok);
  const bad = parseAlert('{');
  assert.ok(!bad.ok && bad.reason.startsWith('invalid JSON'));
  assert.deepEqual(parseAlert('{"token": hunter2secret}'), { ok: false, reason: 'invalid JSON: Unexpected token (input withheld)' });
  const wrong = parseAlert(JSON.stringify({ ...sampleAlert(), severity: 'extreme' }));
  assert.ok(!wrong.ok && wrong.reason.includes('severity'));
  assert.equal(parseAlert(null).ok, false);
});
