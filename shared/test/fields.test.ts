import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIp, splitHostPort } from '@atlas-audit/shared/core/normalise/fields';
import { normaliseAuditLine } from '@atlas-audit/shared/core/normalise/audit';
import { CONTEXT, expectEvent } from './helpers.ts';

test('only IP literals count as IPs (ECS ip fields reject anything else)', () => {
  for (const ip of ['203.0.113.45', '0.0.0.0', '255.255.255.255', '::1', '2001:db8::1', 'fe80::1:2:3:4', '::ffff:192.0.2.1', '2001:db8:0:0:0:0:0:1']) assert.equal(isIp(ip), true, ip);
  for (const text of ['256.1.1.1', '1.2.3', 'example.com', '/tmp/mongodb-27017.sock', '1:2:3', '2001:db8::1::2', '12345::1', '', 'a.b.c.d']) assert.equal(isIp(text), false, text);
});

test('host:port splitting handles IPv4, bracketed IPv6 and bare values', () => {
  assert.deepEqual(splitHostPort('198.51.100.77:40233'), { ip: '198.51.100.77', port: 40233 });
  assert.deepEqual(splitHostPort('[2001:db8::1]:27017'), { ip: '2001:db8::1', port: 27017 });
  assert.deepEqual(splitHostPort('2001:db8::1'), { ip: '2001:db8::1' });
  assert.deepEqual(splitHostPort('host:99999'), { ip: 'host' });
});

test('a non-IP remote goes to source.address, never to source.ip or related.ip', () => {
  const line = '{"atype":"authenticate","ts":{"$date":"2025-03-04T14:07:12.345+00:00"},"remote":{"ip":"evil.example","port":1},"param":{"user":"u","db":"admin"},"result":0}';
  const event = expectEvent(normaliseAuditLine(line, 0, CONTEXT));
  assert.deepEqual(event.source, { port: 1, address: 'evil.example' });
  assert.deepEqual(event.related.ip, []);
});
