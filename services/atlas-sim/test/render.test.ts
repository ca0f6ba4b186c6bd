import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { auditDocument, mongoDate, renderAuditLine, spaceJson, stringifySpaced } from '../src/core/audit-render.ts';
import { encodeLines } from '../src/core/host-chunk.ts';
import { renderLogLine } from '../src/core/server-log-render.ts';

test('spaceJson of compact JSON equals the spaced stringifier, for any JSON value', () => {
  fc.assert(fc.property(fc.jsonValue(), (value) => spaceJson(JSON.stringify(value)) === stringifySpaced(JSON.parse(JSON.stringify(value)))), { numRuns: 500 });
  assert.equal(spaceJson('{"a":[1,{}],"b":"x,:{}[]\\"","c":[]}'), '{ "a" : [ 1, {} ], "b" : "x,:{}[]\\"", "c" : [] }');
});

test('mongoDate writes milliseconds and the +00:00 offset (+0000 for 4.2)', () => {
  assert.equal(mongoDate(Date.parse('2025-03-04T14:07:12.345Z')), '2025-03-04T14:07:12.345+00:00');
  assert.equal(mongoDate(Date.parse('2025-03-04T14:07:12.005Z')), '2025-03-04T14:07:12.005+00:00');
  assert.equal(mongoDate(Date.parse('2025-03-04T14:07:13.050Z'), true), '2025-03-04T14:07:13.050+0000');
  fc.assert(fc.property(fc.integer({ min: 0, max: 4102444800000 }), (ms) => mongoDate(ms) === `${new Date(ms).toISOString().slice(0, 23)}+00:00`));
});

test('mongod log lines keep the padding after s, c and id', () => {
  const line = renderLogLine(Date.parse('2025-03-04T14:07:12.345Z'), 'ACCESS', 20250, 'conn8807', 'Authentication succeeded', { a: 1 });
  assert.equal(line, '{"t":{"$date":"2025-03-04T14:07:12.345+00:00"},"s":"I",  "c":"ACCESS",   "id":20250,   "ctx":"conn8807","msg":"Authentication succeeded","attr":{"a":1}}');
});

test('encodeLines writes each line and a newline, keeping raw bytes of invalid-UTF-8 lines', () => {
  const body = encodeLines([{ text: 'a', t: 0 }, { text: 'b\ufffd', bytes: new Uint8Array([0x62, 0xff]), invalid: 'invalid-utf8', t: 0 }, { text: 'é', t: 0 }]);
  assert.deepEqual([...body], [0x61, 0x0a, 0x62, 0xff, 0x0a, 0xc3, 0xa9, 0x0a]);
  assert.equal(encodeLines([]).length, 0);
});

test('renderAuditLine equals JSON.stringify of auditDocument (and its spaced form), for any record', () => {
  const ip = fc.ipV4();
  const userRef = fc.record({ user: fc.string(), db: fc.string() });
  const record = fc.record({
    t: fc.integer({ min: 0, max: 4102444800000 }),
    atype: fc.constantFrom('authenticate', 'authCheck', 'logout', 'createUser', 'clientMetadata'),
    conn: fc.nat(),
    uuid: fc.base64String({ minLength: 24, maxLength: 24 }),
    remote: fc.option(fc.record({ ip, port: fc.integer({ min: 1, max: 65535 }) }), { nil: null }),
    users: fc.array(userRef, { maxLength: 2 }),
    roles: fc.array(fc.record({ role: fc.string(), db: fc.string() }), { maxLength: 2 }),
    param: fc.dictionary(fc.string(), fc.jsonValue()),
    result: fc.integer({ min: 0, max: 400 }),
    agent: fc.boolean(),
  });
  fc.assert(fc.property(record, fc.boolean(), fc.boolean(), ip, (r, spaced, legacy, localIp) => {
    const localEndpoint = { ip: localIp, port: 27017 };
    const expected = JSON.stringify(JSON.parse(JSON.stringify(auditDocument(r, legacy, localEndpoint))));
    const line = renderAuditLine(r, { spaced, legacy, localEndpoint });
    return spaced ? line === stringifySpaced(JSON.parse(expected)) : line === expected;
  }), { numRuns: 300 });
});
