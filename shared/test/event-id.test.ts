import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignOccurrences, computeEventId, coordinatePrefix, createDigestCounter, createOccurrenceCounter } from '@atlas-audit/shared/core/event-id';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { CONTEXT, expectEvent } from './helpers.ts';

const line = (second: number, result = 0): string =>
  `{"atype":"authCheck","ts":{"$date":"2025-03-04T14:00:${String(second).padStart(2, '0')}.000+00:00"},"remote":{"ip":"203.0.113.45","port":52114},"users":[{"user":"app_svc","db":"admin"}],"param":{"command":"find","ns":"hr.salaries"},"result":${result}}`;

/** Ids of a window's lines, normalised the way ingest does it: one counter per window. */
function windowIds(lines: string[]): string[] {
  const normalise = createAuditNormaliser(CONTEXT);
  const occurrences = assignOccurrences(lines);
  const ids = lines.map((text, i) => expectEvent(normalise(text, occurrences[i] ?? 0)).event.id);
  // A fresh normaliser counting occurrences itself (one window) agrees with explicit indexes.
  const counting = createAuditNormaliser(CONTEXT);
  assert.deepEqual(lines.map((text) => expectEvent(counting(Buffer.from(text))).event.id), ids);
  return ids;
}

test('occurrence indexes count byte-identical records within a window', () => {
  assert.deepEqual(assignOccurrences(['a', 'b', 'a', 'a', 'b', 'c']), [0, 0, 1, 2, 1, 0]);
  const counter = createOccurrenceCounter();
  assert.equal(counter.next(Buffer.from('x')), 0);
  assert.equal(counter.next(Buffer.from('x')), 1);
  assert.equal(counter.next('x'), 0, 'text and bytes are counted separately; callers use one form per source');
});

test('the digest counter counts exactly, also for different digests that share their leading bits', () => {
  const a = `abcdef0${'1'.repeat(57)}`;
  const b = `abcdef0${'2'.repeat(57)}`; // same first 28 bits as a
  const c = `abcdef1${'1'.repeat(57)}`;
  const counter = createDigestCounter();
  assert.deepEqual([a, b, a, b, b, c, a].map((d) => counter.next(d)), [0, 0, 1, 1, 2, 0, 2]);
  // Any sequence: the same indexes as counting the strings themselves. Few distinct leading digits
  // so that shared keys are common.
  const digest = fc.tuple(fc.constantFrom('0000000', '0000001', 'fffffff'), fc.constantFrom('a', 'b', 'c', 'd')).map(([head, tail]) => `${head}${tail.repeat(57)}`);
  fc.assert(
    fc.property(fc.array(digest, { maxLength: 40 }), (digests) => {
      const fast = createDigestCounter();
      assert.deepEqual(digests.map((d) => fast.next(d)), assignOccurrences(digests));
    }),
  );
});

test('counting digest() by hand gives the same indexes and ids as the normaliser counting itself, a trailing CR ignored', () => {
  const lines = [line(1), line(2), line(2), `${line(2)}\r`, line(3), line(1)].map((text) => Buffer.from(text));
  const counting = createAuditNormaliser(CONTEXT);
  const selfCounted = lines.map((bytes) => expectEvent(counting(bytes)).event.id);
  const explicit = createAuditNormaliser(CONTEXT);
  const occurrences = createDigestCounter();
  const ids = lines.map((bytes) => {
    const digest = explicit.digest(bytes);
    return expectEvent(explicit(bytes, occurrences.next(digest), digest)).event.id;
  });
  assert.deepEqual(ids, selfCounted);
  assert.equal(new Set(ids).size, 6);
  const again = createDigestCounter();
  assert.deepEqual(lines.map((bytes) => again.next(explicit.digest(bytes))), [0, 0, 1, 2, 0, 1]);
});

test('a line downloaded again in an overlapping window gets the same id; genuine repeats stay distinct', () => {
  // Second 3 holds two identical lines (same connection, same millisecond, both denied).
  const file = [line(1), line(2), line(3, 13), line(3, 13), line(4), line(5), line(6)];
  const first = windowIds(file.slice(0, 5)); // seconds 1..4
  const second = windowIds(file.slice(2)); // seconds 3..6, overlapping on 3 and 4
  assert.equal(first[2], second[0]);
  assert.equal(first[3], second[1]);
  assert.equal(first[4], second[2]);
  assert.notEqual(first[2], first[3], 'repeated lines must not collide');
  assert.equal(new Set([...first, ...second]).size, 7, 'seven distinct records, seven distinct ids');
});

test('the same bytes from another host, log or project get another id', () => {
  const raw = line(1);
  const base = computeEventId({ project: 'p', host: 'h', logName: 'mongodb-audit-log' }, raw, 0);
  assert.notEqual(computeEventId({ project: 'p', host: 'h2', logName: 'mongodb-audit-log' }, raw, 0), base);
  assert.notEqual(computeEventId({ project: 'p', host: 'h', logName: 'mongos-audit-log' }, raw, 0), base);
  assert.notEqual(computeEventId({ project: 'q', host: 'h', logName: 'mongodb-audit-log' }, raw, 0), base);
  assert.notEqual(computeEventId({ project: 'p', host: 'h', logName: 'mongodb-audit-log' }, raw, 1), base);
  assert.equal(computeEventId({ project: 'p', host: 'h', logName: 'mongodb-audit-log' }, Buffer.from(raw), 0), base);
  assert.match(base, /^[0-9a-f]{64}$/);
});

test('coordinates are length-prefixed so field boundaries cannot be forged', () => {
  assert.notEqual(coordinatePrefix({ host: 'a_b', logName: 'c' }), coordinatePrefix({ host: 'a', logName: 'b_c' }));
  assert.notEqual(coordinatePrefix({ host: 'ab' }), coordinatePrefix({ project: 'ab' }));
});
