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
