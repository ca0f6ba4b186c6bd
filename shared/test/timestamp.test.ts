import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnyTimestamp, parseExtendedDate, parseIsoTimestamp, parseJavaDate } from '@atlas-audit/shared/core/timestamp';

const value = (result: { ok: boolean; value?: string; reason?: string }): string | undefined => (result.ok ? result.value : undefined);

test('ISO variants normalise to ISO UTC with milliseconds', () => {
  assert.equal(value(parseIsoTimestamp('2025-03-04T14:07:12.345+00:00')), '2025-03-04T14:07:12.345Z');
  assert.equal(value(parseIsoTimestamp('2025-03-04T14:07:12.345+0000')), '2025-03-04T14:07:12.345Z');
  assert.equal(value(parseIsoTimestamp('2025-03-04T14:07:12Z')), '2025-03-04T14:07:12.000Z');
  assert.equal(value(parseIsoTimestamp('2025-03-04T14:07:12.345678Z')), '2025-03-04T14:07:12.345Z');
  assert.equal(value(parseIsoTimestamp('2025-03-04T15:07:12.345+01:00')), '2025-03-04T14:07:12.345Z');
  assert.equal(value(parseIsoTimestamp('2025-03-04T09:07:12.345-0500')), '2025-03-04T14:07:12.345Z');
  assert.equal(parseIsoTimestamp('2025-02-30T00:00:00Z').ok, false);
  assert.equal(parseIsoTimestamp('2025-03-04T24:00:00Z').ok, false);
  assert.equal(parseIsoTimestamp('yesterday').ok, false);
});

test('Java Date strings from access history parse, in GMT', () => {
  assert.equal(value(parseJavaDate('Tue Mar 04 14:07:40 GMT 2025')), '2025-03-04T14:07:40.000Z');
  assert.equal(value(parseJavaDate('Wed Apr 26 02:38:56 GMT 2023')), '2023-04-26T02:38:56.000Z');
  assert.equal(value(parseAnyTimestamp('Wed Apr 26 02:38:56 UTC 2023')), '2023-04-26T02:38:56.000Z');
  assert.equal(parseJavaDate('Tue Mar 04 14:07:40 PST 2025').ok, false);
});

test('$date as string, number and $numberLong', () => {
  assert.equal(value(parseExtendedDate('2025-03-04T14:07:12.345+00:00')), '2025-03-04T14:07:12.345Z');
  assert.equal(value(parseExtendedDate(1741097232345)), '2025-03-04T14:07:12.345Z');
  assert.equal(value(parseExtendedDate({ $numberLong: '1741097232345' })), '2025-03-04T14:07:12.345Z');
  assert.equal(parseExtendedDate({ $numberLong: 'x' }).ok, false);
  assert.equal(parseExtendedDate(Number.NaN).ok, false);
  assert.equal(parseExtendedDate(1e20).ok, false);
  assert.equal(parseExtendedDate(null).ok, false);
});

test('the fast UTC path agrees with Date for every millisecond timestamp, in all three UTC spellings', async () => {
  const fc = (await import('fast-check')).default;
  fc.assert(
    fc.property(fc.date({ min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
      const iso = date.toISOString();
      for (const text of [iso, iso.replace('Z', '+00:00'), iso.replace('Z', '+0000')]) assert.equal(value(parseIsoTimestamp(text)), iso);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ minLength: 24, maxLength: 29 }), (text) => {
      const result = parseIsoTimestamp(text);
      if (result.ok) assert.equal(new Date(result.value).toISOString(), result.value);
    }),
    { numRuns: 2000 },
  );
  for (const bad of ['2025-02-29T00:00:00.000Z', '2024-13-01T00:00:00.000Z', '2024-01-01T24:00:00.000Z', '2024-01-01T00:60:00.000Z', '1969-12-31T23:59:59.999Z', '2024-01-01T00:00:00.0a0Z']) {
    assert.equal(parseIsoTimestamp(bad).ok, false, bad);
  }
  assert.equal(value(parseIsoTimestamp('2024-02-29T00:00:00.000+00:00')), '2024-02-29T00:00:00.000Z');
});
