import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultSanitisePolicy, sanitiseParam, withoutCredentials } from '@atlas-audit/shared/core/sanitise';
import { isJsonValue } from '@atlas-audit/shared/schema/json-value';
import { readFixture } from './helpers.ts';

const authCheck = { command: 'find', ns: 'hr.salaries', args: { find: 'salaries', filter: { ssn: '123-45-6789', age: { $gt: 40 }, vip: true, note: null }, $db: 'hr' } };

test("'mask' keeps keys and structural names and replaces other leaves by type markers", () => {
  assert.deepEqual(sanitiseParam(authCheck), {
    command: 'find',
    ns: 'hr.salaries',
    args: { find: '[string]', filter: { ssn: '[string]', age: { $gt: '[number]' }, vip: '[boolean]', note: null }, $db: 'hr' },
  });
  assert.deepEqual(sanitiseParam({ user: 'u', db: 'admin', roles: [{ role: 'read', db: 'x' }], customData: { phone: '555' } }), {
    user: 'u',
    db: 'admin',
    roles: [{ role: 'read', db: 'x' }],
    customData: { phone: '[string]' },
  });
});

test("'keep' keeps values, 'drop' drops the param", () => {
  assert.deepEqual(sanitiseParam(authCheck, { ...defaultSanitisePolicy, mode: 'keep' }), authCheck);
  assert.equal(sanitiseParam(authCheck, { ...defaultSanitisePolicy, mode: 'drop' }), undefined);
});

test('a huge param stays small, bounded in depth, entries and total nodes', () => {
  const line = readFixture('audit/huge-param.ndjson');
  assert.ok(line.length > 200_000);
  const param = (JSON.parse(line) as { param: unknown }).param;
  for (const mode of ['mask', 'keep'] as const) {
    const out = sanitiseParam(param, { ...defaultSanitisePolicy, mode });
    assert.ok(isJsonValue(out));
    assert.ok(JSON.stringify(out).length < 16_000, `${mode}: ${JSON.stringify(out).length} chars`);
  }
  const masked = sanitiseParam(param) as { args: { documents: unknown[] } };
  assert.equal(masked.args.documents.length, defaultSanitisePolicy.maxEntries + 1);
  assert.equal(masked.args.documents.at(-1), `[+${4000 - defaultSanitisePolicy.maxEntries} more]`);
  assert.ok(!JSON.stringify(masked).includes('4111-1111'));
});

test('deep nesting is cut at maxDepth and __proto__ keys stay plain data', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 50; i++) deep = { nested: deep };
  const out = sanitiseParam({ ns: 'a.b', deep }, { ...defaultSanitisePolicy, mode: 'keep' });
  assert.ok(JSON.stringify(out).includes('[object]'));
  const evil = sanitiseParam(JSON.parse('{"__proto__":{"polluted":"yes"},"ns":"x"}'), { ...defaultSanitisePolicy, mode: 'keep' });
  assert.deepEqual(Object.keys(evil ?? {}), ['__proto__', 'ns']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(evil), Object.prototype);
});

test('non-object params give undefined', () => {
  for (const value of [null, 1, 'x', [1], undefined]) assert.equal(sanitiseParam(value), undefined);
});

test('secrets are masked in every mode, keep included: passwords and the SCRAM credentials of a direct user write', () => {
  const directWrite = {
    document: { _id: 'admin.bob', user: 'bob', db: 'admin', credentials: { 'SCRAM-SHA-256': { iterationCount: 15000, salt: 'c2FsdA==', storedKey: 'c3RvcmVk', serverKey: 'c2VydmVy' } } },
    ns: 'admin.system.users',
    operation: 'insert',
  };
  for (const mode of ['mask', 'keep'] as const) {
    const out = sanitiseParam(directWrite, { ...defaultSanitisePolicy, mode });
    assert.deepEqual((out as { document: { credentials: unknown } }).document.credentials, '[object]', mode);
    assert.ok(!JSON.stringify(out).includes('c3RvcmVk'), mode);
    assert.deepEqual(sanitiseParam({ user: 'bob', db: 'admin', pwd: 'hunter2' }, { ...defaultSanitisePolicy, mode }), { user: 'bob', db: 'admin', pwd: '[string]' });
  }
  assert.equal((sanitiseParam(directWrite, { ...defaultSanitisePolicy, mode: 'keep' }) as { document: { user: string } }).document.user, 'bob', 'keep still keeps the rest');
});

test('connection strings are kept without their credentials, in both forms and however long', () => {
  const cases: [string, string][] = [
    ['rs1/admin:hunter2@h1:27017,h2:27017', 'rs1/[credentials]@h1:27017,h2:27017'],
    ['rs1/admin:pa/ss@h1:27017', 'rs1/[credentials]@h1:27017'],
    ['mongodb://u:p@ss@h1,h2/db?authSource=admin', 'mongodb://[credentials]@h1,h2/db?authSource=admin'],
    ['mongodb+srv://user:pw@cluster0.x7rgm.mongodb.net/?retryWrites=true', 'mongodb+srv://[credentials]@cluster0.x7rgm.mongodb.net/?retryWrites=true'],
    ['mongodb://u:pa/ss@h1/db', 'mongodb://[credentials]@h1/db'],
    ['u:a://b@h1:27017', '[credentials]@h1:27017'],
    ['rs1/h1:27017,h2:27017', 'rs1/h1:27017,h2:27017'],
    ['mongodb://h1:27017/?appName=billing', 'mongodb://h1:27017/?appName=billing'],
    // An @ in the options masks too much, never too little.
    ['mongodb://h1/?appName=a@b', 'mongodb://[credentials]@b'],
  ];
  for (const [text, want] of cases) assert.equal(withoutCredentials(text), want, text);
  assert.deepEqual(sanitiseParam({ shard: 'shard01', connectionString: 'rs1/admin:hunter2@h1:27017' }), { shard: 'shard01', connectionString: 'rs1/[credentials]@h1:27017' });
  // A password longer than the string limit: credentials go before the cut.
  const long = `rs1/admin:${'x'.repeat(400)}@h1:27017`;
  assert.equal(sanitiseParam({ connectionString: long }, { ...defaultSanitisePolicy, mode: 'keep' })?.['connectionString'], 'rs1/[credentials]@h1:27017');
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z0-9/@:%!?]{1,40}$/), fc.constantFrom('mongodb://u:', 'mongodb+srv://u:', 'rs0/u:', 'u:'), (password, head) => {
      const out = withoutCredentials(`${head}${password}@h1.example.net:27017,h2.example.net:27017`);
      assert.ok(out.endsWith('@h1.example.net:27017,h2.example.net:27017'), out);
      assert.ok(!out.includes(`u:${password}`), out);
    }),
    { numRuns: 2000 },
  );
});
