import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeCefExtension, escapeCefHeader, renderCef } from '../src/core/cef.ts';
import { parseCef, sampleAlert } from './fixtures.ts';

const device = { vendor: 'Atlas Audit', product: 'atlas-audit', version: '0.1.0' };

test('CEF header escaping follows the spec', () => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'],
    ['a|b', 'a\\|b'],
    ['back\\slash', 'back\\\\slash'],
    ['\\|', '\\\\\\|'],
    ['line\nbreak', 'line break'],
    ['equals=stay', 'equals=stay'],
  ];
  for (const [input, expected] of cases) assert.equal(escapeCefHeader(input), expected, input);
});

test('CEF extension escaping follows the spec', () => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'],
    ['a=b', 'a\\=b'],
    ['back\\slash', 'back\\\\slash'],
    ['pipe|stays', 'pipe|stays'],
    ['two\nlines', 'two\\nlines'],
    ['crlf\r\nend', 'crlf\\nend'],
    ['cr\rend', 'cr\\rend'],
    ['\\=', '\\\\\\='],
  ];
  for (const [input, expected] of cases) assert.equal(escapeCefExtension(input), expected, input);
});

test('a CEF line round-trips the alert fields through a CEF parser', () => {
  const alert = sampleAlert({ message: 'weird | msg = with \\ and\nnewline', rule: { id: 'D|3', name: 'Name with | pipe and \\', description: 'd', version: '2' } });
  const line = renderCef(alert, device);
  assert.ok(!line.includes('\n'), 'one line');
  const { header, ext } = parseCef(line);
  assert.deepEqual(header, ['CEF:0', 'Atlas Audit', 'atlas-audit', '0.1.0', 'D|3', 'Name with | pipe and \\', '5']);
  assert.equal(ext.get('externalId'), alert.event.id);
  assert.equal(ext.get('msg'), 'weird | msg = with \\ and\nnewline');
  assert.equal(ext.get('suser'), 'app_svc');
  assert.equal(ext.get('src'), '203.0.113.45');
  assert.equal(ext.get('rt'), String(Date.parse('2025-03-04T14:07:12.345Z')));
  assert.equal(ext.get('cs1'), 'D|3');
  assert.equal(ext.get('cs2'), 'T1078 Valid Accounts');
  assert.equal(ext.get('cs3'), '65f0c0ffee0ddba11ab1e5e1');
  assert.equal(ext.get('cs4'), '65f0c0ffee0ddba11ab1e5e1/app_svc/203.0.113.0/24');
  assert.equal(ext.get('cnt'), '2');
});

test('severity maps to CEF 0-10 and IPv6 sources use c6a2', () => {
  const critical = parseCef(renderCef(sampleAlert({ severity: 'critical', source: { ip: '2001:db8::1' } }), device));
  assert.equal(critical.header[6], '10');
  assert.equal(critical.ext.get('c6a2'), '2001:db8::1');
  assert.equal(critical.ext.has('src'), false);
  assert.equal(parseCef(renderCef(sampleAlert({ severity: 'low' }), device)).header[6], '3');
});

test('any message survives CEF extension escaping and parsing (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ maxLength: 40 }), (message, user) => {
      const alert = sampleAlert({ message: message === '' ? 'x' : message, user: { name: user } });
      const { ext } = parseCef(renderCef(alert, device));
      // Lines are single-line; CR/LF are escaped, so the parser gets them back except the CRLF→LF folding.
      assert.equal(ext.get('msg'), (message === '' ? 'x' : message).replace(/\r\n/g, '\n'));
      if (user !== '') assert.equal(ext.get('suser'), user.replace(/\r\n/g, '\n'));
    }),
    { numRuns: 300 },
  );
});
