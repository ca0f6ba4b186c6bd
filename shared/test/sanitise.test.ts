import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSanitisePolicy, sanitiseParam } from '@atlas-audit/shared/core/sanitise';
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
