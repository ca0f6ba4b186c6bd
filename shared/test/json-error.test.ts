import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonErrorReason } from '@atlas-audit/shared/core/json-error';
import { normaliseAuditLine } from '@atlas-audit/shared/core/normalise/audit';
import { CONTEXT } from './helpers.ts';

function reasonFor(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return jsonErrorReason(err);
  }
  throw new Error(`parsed: ${text}`);
}

test('JSON errors keep their kind and position but never quote the input', () => {
  const cases: [string, string][] = [
    ['secretpassword', 'Unexpected token (input withheld)'],
    ['{"ssn":"123-45-6789"  ,  "x": nul}', 'Unexpected token (input withheld)'],
    ['{"filter":{"ssn":"123-45-6789"x}}', "Expected ',' or '}' after property value at position 30"],
    ['{"a":1} hunter2', 'Unexpected non-whitespace character after JSON at position 8'],
    ['{"a":"abc', 'Unterminated string at position 9'],
    ['', 'Unexpected end of JSON input'],
  ];
  for (const [text, reason] of cases) assert.equal(reasonFor(text), reason, text);
  assert.equal(jsonErrorReason('not an error'), 'not valid JSON (input withheld)');
});

test('no reason for a malformed line carries a piece of it', () => {
  // Lines that are JSON objects cut short or broken by a marker word: whatever V8 says about
  // them, no 6-character run of the secret shows up in the reason. The secret's alphabet has no
  // letter the reasons' own words use, so a match can only be a quote of the line.
  const secret = fc.stringMatching(/^[QVWXYZ0-9]{12,40}$/);
  fc.assert(
    fc.property(secret, fc.boolean(), fc.nat(60), fc.constantFrom('x', '}', ' nul', ',', ''), (value, quoted, cut, tail) => {
      const shown = quoted ? `"${value}"` : value;
      const line = `{"atype":"authCheck","ts":{"$date":"2025-03-04T14:13:14.000+00:00"},"param":{"filter":{"password":${shown}${tail}`.slice(0, 80 + cut);
      const result = normaliseAuditLine(line, 0, CONTEXT);
      if (!result.ok) for (let i = 0; i + 6 <= value.length; i++) assert.ok(!result.reason.includes(value.slice(i, i + 6)), result.reason);
    }),
    { numRuns: 500 },
  );
});
