import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { atlasEventSchema } from '@atlas-audit/shared/schema/event';
import { parseAtlasEvent } from '@atlas-audit/shared/schema/event-validator';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Result } from '@atlas-audit/shared/result';
import { CONTEXT, readFixture } from './helpers.ts';

const normalise = createAuditNormaliser(CONTEXT);
const fixtureLines = readFixture('audit/mongodb-audit-log.ndjson').split('\n').filter((line) => line.length > 0);
let checked = 0;

/**
 * Exactly one event (which passes the schema and is JSON-plain) or one non-empty reason. With
 * `canonical`, the event must also be built in schema order with no unknown keys (what
 * `checkEvent` relies on): it serialises exactly as the parser's copy of it.
 */
function assertOneOutcome(result: Result<AtlasEvent>, canonical = false): void {
  checked += 1;
  assert.equal(typeof result, 'object');
  if (result.ok) {
    assert.equal('reason' in result, false);
    const parsed = atlasEventSchema.safeParse(result.value);
    assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
    assert.deepEqual(JSON.parse(JSON.stringify(result.value)), result.value);
    if (canonical) {
      const copy = parseAtlasEvent(result.value);
      assert.ok(copy.ok);
      assert.equal(JSON.stringify(result.value), JSON.stringify(copy.value));
    }
  } else {
    assert.equal('value' in result, false);
    assert.equal(typeof result.reason, 'string');
    assert.ok(result.reason.length > 0);
  }
}

const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const dateValue = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '+0000')),
  fc.integer({ min: -1e15, max: 1e15 }),
  fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }).map((n) => ({ $numberLong: n.toString() })),
  scalar,
);
const endpointArb = fc.oneof(
  fc.record({ ip: fc.oneof(fc.ipV4(), fc.ipV6(), scalar), port: fc.oneof(fc.integer({ min: -10, max: 70000 }), scalar) }, { requiredKeys: [] }),
  fc.constant({ isSystemUser: true }),
  fc.record({ unix: fc.oneof(fc.string(), scalar) }),
  scalar,
);
const namedArb = fc.array(fc.oneof(fc.record({ user: scalar, role: scalar, db: scalar }, { requiredKeys: [] }), scalar), { maxLength: 4 });
const auditLike = fc.record(
  {
    atype: fc.oneof(fc.constantFrom('authenticate', 'authCheck', 'createUser', 'grantRolesToUser', 'createRole', 'dropCollection', 'logout', 'clientMetadata', 'startup', 'unknownThing', '__proto__', 'constructor'), scalar),
    ts: fc.oneof(fc.record({ $date: dateValue }), scalar),
    uuid: fc.oneof(fc.record({ $binary: fc.oneof(fc.base64String({ minLength: 24, maxLength: 24 }), scalar), $type: fc.constant('04') }), scalar),
    local: endpointArb,
    remote: endpointArb,
    intermediates: fc.oneof(fc.array(endpointArb, { maxLength: 3 }), scalar),
    users: fc.oneof(namedArb, scalar),
    roles: fc.oneof(namedArb, scalar),
    param: fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ user: scalar, db: scalar, mechanism: scalar, roles: namedArb, role: scalar, ns: scalar }, { requiredKeys: [] })),
    result: fc.oneof(fc.integer({ min: -5, max: 20000 }), fc.constantFrom(0, 13, 18, 26, 276, 334, 337), scalar),
  },
  { requiredKeys: [] },
);

/** Mutations of real fixture lines: cut, insert, delete, replace a value, duplicate a key. */
const mutatedLine = fc
  .tuple(fc.constantFrom(...fixtureLines), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }), fc.integer({ min: 0, max: 5 }), fc.jsonValue({ maxDepth: 2 }))
  .map(([line, a, b, text, kind, json]) => {
    const i = a % (line.length + 1);
    const j = b % (line.length + 1);
    switch (kind) {
      case 0:
        return line.slice(0, i);
      case 1:
        return line.slice(0, i) + text + line.slice(i);
      case 2:
        return line.slice(0, Math.min(i, j)) + line.slice(Math.max(i, j));
      case 3: {
        // Replace the value after the i-th colon with random JSON.
        const colon = line.indexOf(':', i);
        if (colon === -1) return line;
        const end = line.slice(colon + 1).search(/[,}]/);
        return `${line.slice(0, colon + 1)}${JSON.stringify(json)}${end === -1 ? '' : line.slice(colon + 1 + end)}`;
      }
      case 4:
        return line.replace('{', `{"atype":${JSON.stringify(json)},`);
      default:
        return `${line}\n${line}`;
    }
  });

const runs = { numRuns: 0 };
const property = <T>(arb: fc.Arbitrary<T>, numRuns: number, check: (value: T) => void): void => {
  runs.numRuns += numRuns;
  fc.assert(fc.property(arb, check), { numRuns });
};

test('audit normaliser: ≥10,000 random and mutated lines each end as exactly one event or one reason', () => {
  property(fc.string({ unit: 'binary', maxLength: 200 }), 2000, (line) => assertOneOutcome(normalise(line, 0), true));
  property(fc.uint8Array({ maxLength: 300 }), 1000, (bytes) => assertOneOutcome(normalise(bytes, 0), true));
  property(fc.jsonValue({ maxDepth: 3 }), 1500, (json) => assertOneOutcome(normalise(JSON.stringify(json) ?? 'null', 0), true));
  property(auditLike, 3000, (doc) => assertOneOutcome(normalise(JSON.stringify(doc), 0), true));
  property(mutatedLine, 3000, (line) => assertOneOutcome(normalise(line, 0), true));
  assert.ok(runs.numRuns >= 10_000);
  assert.ok(checked >= 10_000, `checked ${checked}`);
});

test('well-formed audit-like documents with a valid ts and atype always become events', () => {
  const valid = fc.record({ atype: fc.string({ minLength: 1 }), ts: fc.record({ $date: fc.date({ min: new Date('1971-01-01'), max: new Date('9000-01-01'), noInvalidDate: true }).map((d) => d.toISOString()) }), users: namedArb, param: fc.jsonValue({ maxDepth: 3 }), result: fc.integer({ min: 0, max: 1000 }) });
  fc.assert(
    fc.property(valid, (doc) => {
      const result = normalise(JSON.stringify(doc), 0);
      assert.ok(result.ok, result.ok ? '' : result.reason);
      assert.equal(result.value.event.outcome, doc.result === 0 ? 'success' : 'failure');
    }),
    { numRuns: 1000 },
  );
});

test('access and activity normalisers never throw on arbitrary input', () => {
  const accessLike = fc.record({ authResult: fc.oneof(fc.boolean(), scalar), authSource: scalar, failureReason: scalar, groupId: scalar, hostname: scalar, ipAddress: scalar, logLine: fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), scalar), timestamp: fc.oneof(dateValue, fc.constant('Tue Mar 04 14:07:40 GMT 2025')), username: scalar }, { requiredKeys: [] });
  fc.assert(fc.property(fc.oneof(accessLike, fc.anything()), (entry) => assertOneOutcome(normaliseAccessEntry(entry, 0, {}))), { numRuns: 1500 });
  const activityLike = fc.record({ id: scalar, created: fc.oneof(dateValue, scalar), eventTypeName: fc.oneof(fc.constantFrom('MONGODB_USER_ADDED', 'JOINED_ORG', 'X_DELETED'), scalar), groupId: scalar, orgId: scalar, username: scalar, publicKey: scalar, remoteAddress: scalar, port: scalar, raw: fc.oneof(fc.record({ description: scalar }), scalar) }, { requiredKeys: [] });
  fc.assert(fc.property(fc.oneof(activityLike, fc.anything()), (doc) => assertOneOutcome(normaliseActivityEvent(doc, {}))), { numRuns: 1500 });
});
