import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeSdValue, frameOctetCounting, headerField, parseOctetCountedFrames, renderSyslog5424 } from '../src/core/syslog.ts';
import { renderAlertSyslog } from '../src/core/syslog-alert.ts';
import { renderLeef } from '../src/core/leef.ts';
import { parseCef, sampleAlert } from './fixtures.ts';

const device = { vendor: 'Atlas Audit', product: 'atlas-audit', version: '0.1.0' };

test('RFC 5424 header: PRI, version, nil values and structured data escaping', () => {
  const line = renderSyslog5424(
    { facility: 10, severity: 3, timestamp: '2025-03-04T14:07:12.345Z', hostname: 'host one', appName: 'atlas-audit', structuredData: { id: 'atlas@32473', params: [['k', 'a"b\\c]d']] } },
    'hello',
  );
  assert.equal(line, '<83>1 2025-03-04T14:07:12.345Z hostone atlas-audit - - [atlas@32473 k="a\\"b\\\\c\\]d"] hello');
});

test('header fields keep printable ASCII, cap length, and use - when empty', () => {
  assert.equal(headerField(undefined, 10), '-');
  assert.equal(headerField('é', 10), '-');
  assert.equal(headerField('abcdefghijkl', 5), 'abcde');
  assert.equal(escapeSdValue(']"\\'), '\\]\\"\\\\');
});

test('octet-counting frames count bytes, not characters, and split back', () => {
  const frames = Buffer.concat([frameOctetCounting('héllo'), frameOctetCounting('a b c')]);
  assert.equal(frames.toString('utf8').startsWith('6 héllo'), true);
  const parsed = parseOctetCountedFrames(frames);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.messages, ['héllo', 'a b c']);
  assert.equal(parsed.rest.length, 0);
  const partial = parseOctetCountedFrames(frames.subarray(0, 5));
  assert.ok(partial.ok);
  assert.deepEqual(partial.messages, []);
  assert.equal(parseOctetCountedFrames(Buffer.from('x1 a')).ok, false);
});

test('any sequence of messages survives framing split at any point (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 5 }), fc.nat(), (messages, cutSeed) => {
      const stream = Buffer.concat(messages.map(frameOctetCounting));
      const cut = cutSeed % (stream.length + 1);
      const first = parseOctetCountedFrames(stream.subarray(0, cut));
      assert.ok(first.ok);
      const second = parseOctetCountedFrames(Buffer.concat([first.rest, stream.subarray(cut)]));
      assert.ok(second.ok);
      assert.deepEqual([...first.messages, ...second.messages], messages);
    }),
  );
});

test('a syslog alert carries the id in structured data and in the CEF payload', () => {
  const alert = sampleAlert({ severity: 'high' });
  const line = renderAlertSyslog(alert, { format: 'cef', device, hostname: 'siem-1', appName: 'atlas-audit', facility: 10 });
  assert.match(line, /^<83>1 2025-03-04T14:07:12\.345Z siem-1 atlas-audit - CEF \[atlas@32473 alertId="[0-9a-f]{64}" ruleId="D3"\] CEF:0\|/);
  const cef = line.slice(line.indexOf('CEF:0|'));
  assert.equal(parseCef(cef).ext.get('externalId'), alert.event.id);
});

test('LEEF 2.0 declares its tab delimiter and keeps values on one line', () => {
  const alert = sampleAlert({ message: 'tab\there\nnewline' });
  const line = renderLeef(alert, device);
  const [header, body] = [line.split('|').slice(0, 6), line.split('|').slice(6).join('|')];
  assert.deepEqual(header, ['LEEF:2.0', 'Atlas Audit', 'atlas-audit', '0.1.0', 'D3', 'x09']);
  const attrs = new Map(body.split('\t').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  assert.equal(attrs.get('alertId'), alert.event.id);
  assert.equal(attrs.get('msg'), 'tab here newline');
  assert.equal(attrs.get('sev'), '5');
  assert.equal(attrs.get('usrName'), 'app_svc');
  assert.equal(attrs.get('devTime'), '2025-03-04T14:07:12.345Z');
});
