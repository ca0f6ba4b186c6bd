import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { z } from 'zod';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { normalisePostureSnapshot } from '@atlas-audit/shared/core/normalise/posture';
import { diffSnapshots } from '@atlas-audit/shared/core/normalise/posture-diff';
import type { PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import { compileParser, compileValidator, UnsupportedSchemaError } from '@atlas-audit/shared/schema/compile-validator';
import { atlasEventSchema, eventCategories, eventDatasets, eventKinds, eventTypes, postureKinds } from '@atlas-audit/shared/schema/event';
import { parseAlert, parseAtlasEvent, validateAlert, validateAtlasEvent } from '@atlas-audit/shared/schema/event-validator';
import { alertSchema, type Alert } from '@atlas-audit/shared/schema/alert';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Result } from '@atlas-audit/shared/result';
import { CONTEXT, readFixture, readJsonFixture } from './helpers.ts';

/** Every event the normalisers make of the fixtures: audit (mongod, mongos), access, activity, posture states and diffs. */
function fixtureEvents(): AtlasEvent[] {
  const events: AtlasEvent[] = [];
  const keep = (result: Result<AtlasEvent>): void => {
    if (result.ok) events.push(result.value);
  };
  for (const name of ['audit/mongodb-audit-log.ndjson', 'audit/mongos-audit-log.ndjson']) {
    const normalise = createAuditNormaliser(CONTEXT);
    for (const line of readFixture(name).split('\n')) if (line.length > 0) keep(normalise(Buffer.from(line)));
  }
  const access = (readJsonFixture('access/cluster0-access-history.json') as { accessLogs: unknown[] }).accessLogs;
  access.forEach((entry, i) => keep(normaliseAccessEntry(entry, i % 2, CONTEXT)));
  for (const name of ['events/project-events-page-1.json', 'events/project-events-page-2.json', 'events/org-events.json']) {
    for (const doc of (readJsonFixture(name) as { results: unknown[] }).results) keep(normaliseActivityEvent(doc, {}));
  }
  const first = readJsonFixture('posture/snapshot-1.json') as PostureSnapshot;
  const second = readJsonFixture('posture/snapshot-2.json') as PostureSnapshot;
  normalisePostureSnapshot(first, CONTEXT).forEach(keep);
  diffSnapshots(first, second, CONTEXT).forEach(keep);
  return events;
}

const corpus = fixtureEvents();

/** Every path (as keys) to a value in the documents, so mutations also reach fields a given document lacks. */
function allPaths(documents: readonly unknown[]): string[][] {
  const seen = new Map<string, string[]>();
  const walk = (value: unknown, path: string[]): void => {
    if (path.length > 0) seen.set(path.join('\u0000'), path);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && path[path.length - 1] !== 'param' && path[path.length - 1] !== 'state') {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    }
    if (Array.isArray(value) && value.length > 0) walk(value[0], [...path, '0']);
  };
  for (const document of documents) walk(document, []);
  return [...seen.values()];
}

class NotPlain {
  a = 1;
}

const awkward = fc.oneof(
  fc.constantFrom<unknown>(
    '', 'x', 'mongodb', 'mongodb_atlas', '1', 1, 0, -0, -1, 1.5, 65535, 65536, 27017, 2 ** 53, -(2 ** 53), Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
    true, false, null, undefined, [], [[]], [['authentication']], [null], ['x'], {}, { a: 1 }, { a: undefined }, { a: Number.NaN }, { a: [1, [2, { b: null }]] },
    Object.create(null) as unknown, new NotPlain(), new Date(0), '2025-03-04T14:07:12.345Z', '2025-03-04T14:07:12Z', '2025-03-04T14:07:12.345+00:00', '2025-3-4T14:07:12.345Z',
    'a'.repeat(64), 'A'.repeat(64), 'a'.repeat(63), '0123456789abcdef'.repeat(4), '10.0.0.1', '::1', '999.1.1.1', 'not an ip', { name: 'x' }, { name: '' }, { id: 'p' },
  ),
  fc.constantFrom<unknown>(...eventKinds, ...eventCategories, ...eventTypes, ...eventDatasets, ...postureKinds, 'added', 'changed', 'success', 'failure'),
  fc.array(fc.constantFrom<unknown>(...eventCategories, ...eventTypes, 'bogus', 1, null), { maxLength: 3 }),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -70000, max: 70000 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
  fc.anything({ maxDepth: 2 }),
);

type Mutation = { path: string[]; op: 'set'; value: unknown } | { path: string[]; op: 'delete' } | { path: string[]; op: 'extra'; key: string; value: unknown };

/** Mutations at the given paths: set an awkward value, delete, or add an extra key. */
const mutationsAt = (paths: string[][]): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({ path: fc.constantFrom(...paths), op: fc.constant('set' as const), value: awkward }),
    fc.record({ path: fc.constantFrom(...paths), op: fc.constant('delete' as const) }),
    fc.record({ path: fc.constantFrom([], ...paths), op: fc.constant('extra' as const), key: fc.constantFrom('extra', '__proto__', 'toString', 'constructor', 'ip', 'kind'), value: awkward }),
  );
const mutation = mutationsAt(allPaths(corpus));

/** Applies a mutation to a clone, creating intermediate objects where the path runs past the event. */
function mutate(document: object, mutations: Mutation[]): unknown {
  const root = structuredClone(document) as Record<string, unknown>;
  for (const m of mutations) {
    let node: Record<string, unknown> = root;
    const last = m.op === 'extra' ? undefined : m.path[m.path.length - 1];
    const parents = m.op === 'extra' ? m.path : m.path.slice(0, -1);
    let reachable = true;
    for (const key of parents) {
      const next = node[key];
      if (typeof next !== 'object' || next === null) {
        if (m.op === 'delete') {
          reachable = false;
          break;
        }
        node[key] = {};
      }
      node = node[key] as Record<string, unknown>;
    }
    if (!reachable) continue;
    if (m.op === 'extra') Object.defineProperty(node, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    else if (m.op === 'delete') delete node[last as string];
    else node[last as string] = m.value;
  }
  return root;
}

/** Asserts the compiled validator and parser agree with zod on one candidate; true when accepted. */
function assertSameAsZod(candidate: unknown): boolean {
  const expected = atlasEventSchema.safeParse(candidate);
  const checked = validateAtlasEvent(candidate);
  const parsed = parseAtlasEvent(candidate);
  assert.equal(checked.ok, expected.success, checked.ok ? 'compiled validator accepted what zod rejects' : `compiled validator rejected what zod accepts: ${checked.reason}`);
  assert.equal(parsed.ok, expected.success);
  if (expected.success && parsed.ok) {
    assert.deepStrictEqual(parsed.value, expected.data);
    assert.equal(JSON.stringify(parsed.value), JSON.stringify(expected.data), 'key order differs from zod output');
  }
  if (!checked.ok) assert.match(checked.reason, /^\S.*: .+/);
  return expected.success;
}

test('the fixtures give a corpus of valid events of every dataset', () => {
  assert.ok(corpus.length >= 20, `only ${corpus.length} events`);
  assert.deepEqual(new Set(corpus.map((e) => e.event.dataset)), new Set(['atlas.audit', 'atlas.access', 'atlas.activity', 'atlas.posture']));
  for (const event of corpus) assert.equal(assertSameAsZod(event), true);
});

test('the compiled event validator and parser agree with zod on 10,000 mutated events', () => {
  let accepted = 0;
  let rejected = 0;
  fc.assert(
    fc.property(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 3 }), (event, mutations) => {
      if (assertSameAsZod(mutate(event, mutations))) accepted += 1;
      else rejected += 1;
    }),
    { numRuns: 10_000 },
  );
  // Both verdicts must be well represented, or the property says little.
  assert.ok(accepted > 1000, `accepted ${accepted}`);
  assert.ok(rejected > 1000, `rejected ${rejected}`);
});

test('the compiled event validator agrees with zod on arbitrary values', () => {
  fc.assert(fc.property(fc.anything(), (value) => assertSameAsZod(value) === false), { numRuns: 2000 });
});

test('a rejected event names the first issue by path', () => {
  const event = structuredClone(corpus[0] as AtlasEvent);
  (event.event as { kind: string }).kind = 'bogus';
  const result = validateAtlasEvent(event);
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.reason, /^event\.kind: expected one of /);
  const missing = structuredClone(corpus[0] as AtlasEvent) as Partial<AtlasEvent>;
  delete missing.related;
  assert.deepEqual(validateAtlasEvent(missing), { ok: false, reason: 'related: expected object, received undefined' });
  assert.deepEqual(validateAtlasEvent(42), { ok: false, reason: '(root): expected object, received number' });
});

const alerts: Alert[] = [
  {
    schema_version: '1',
    '@timestamp': '2025-03-04T14:07:12.345Z',
    event: { id: 'ab'.repeat(16), kind: 'alert', category: ['authentication'], type: ['start'], action: 'new-ip', dataset: 'atlas.alert', module: 'mongodb_atlas', severity: 3, risk_score: 73 },
    rule: { id: 'new-ip', name: 'Login from a new network', description: 'first login from this /24', version: '1', category: 'access' },
    threat: {
      framework: 'MITRE ATT&CK',
      tactic: { id: 'TA0001', name: 'Initial Access', reference: 'https://attack.mitre.org/tactics/TA0001/' },
      technique: { id: 'T1078', name: 'Valid Accounts' },
      subtechnique: { id: 'T1078.004', name: 'Cloud Accounts', reference: 'https://attack.mitre.org/techniques/T1078/004/' },
    },
    severity: 'high',
    risk_score: 73,
    message: 'app_1@admin logged in from 198.51.100.0/24 for the first time',
    user: { name: 'app_1', domain: 'admin', roles: ['readWrite@sales'], target: { name: 'x', roles: [] } },
    source: { ip: '198.51.100.7', prefix: '198.51.100.0/24' },
    host: { name: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net' },
    service: { name: 'Cluster0' },
    cloud: { provider: 'mongodb_atlas', account: { id: 'org' }, project: { id: '65f0c0ffee0ddba11ab1e5e1' } },
    related: { ip: ['198.51.100.7'], user: ['app_1'] },
    kibana: { alert: { rule: { rule_id: 'new-ip', name: 'Login from a new network' }, severity: 'high', risk_score: 73, reason: 'new /24', original_time: '2025-03-04T14:07:12.345Z' } },
    atlas: { alert: { subject: 'p/app_1@admin/198.51.100.0/24', window: { start: '2025-03-04T14:00:00.000Z', end: '2025-03-04T15:00:00.000Z' }, explanation: 'first seen', evidence_event_ids: ['e1'], evidence: { known: ['10.0.0.0/24'], count: 1 } } },
  },
  {
    schema_version: '1',
    '@timestamp': '2025-03-04T14:07:12.345Z',
    event: { id: 'cd'.repeat(32), kind: 'alert', category: ['iam'], type: ['change'], action: 'role-grant', dataset: 'atlas.alert', module: 'mongodb_atlas', severity: 1, risk_score: 21 },
    rule: { id: 'r', name: 'n', description: 'd', version: '2' },
    threat: { framework: 'MITRE ATT&CK', tactic: { id: 'TA0004', name: 'Privilege Escalation' }, technique: { id: 'T1098', name: 'Account Manipulation' } },
    severity: 'low',
    risk_score: 21,
    message: 'm',
    cloud: { provider: 'mongodb_atlas' },
    related: { ip: [], user: [] },
    atlas: { alert: { subject: 's', window: { start: '2025-03-04T14:00:00.000Z', end: '2025-03-04T14:00:00.001Z' }, explanation: 'e', evidence_event_ids: ['a', 'b'], evidence: {} } },
  },
];

test('the compiled alert validator and parser agree with zod on 3,000 mutated alerts', () => {
  for (const alert of alerts) assert.equal(alertSchema.safeParse(alert).success, true);
  const alertMutation = mutationsAt([...allPaths(alerts), ['threat', 'tactic', 'reference'], ['threat', 'technique', 'reference']]);
  const urls = fc.constantFrom('https://attack.mitre.org/x', 'http://a', 'mailto:x@y', 'not a url', 'https://', '//x', 'ftp://h/p');
  const urlMutation = fc.tuple(fc.constantFrom('tactic', 'technique'), urls).map(([at, value]): Mutation => ({ path: ['threat', at, 'reference'], op: 'set', value }));
  let accepted = 0;
  fc.assert(
    fc.property(fc.constantFrom(...alerts), fc.array(fc.oneof(alertMutation, urlMutation), { minLength: 1, maxLength: 3 }), (alert, mutations) => {
      const candidate = mutate(alert, mutations);
      const expected = alertSchema.safeParse(candidate);
      assert.equal(validateAlert(candidate).ok, expected.success);
      const parsed = parseAlert(candidate);
      assert.equal(parsed.ok, expected.success);
      if (expected.success && parsed.ok) {
        accepted += 1;
        assert.deepStrictEqual(parsed.value, expected.data);
        assert.equal(JSON.stringify(parsed.value), JSON.stringify(expected.data));
      }
    }),
    { numRuns: 3000 },
  );
  assert.ok(accepted > 300 && accepted < 2700, `accepted ${accepted}`);
});

const toy = z.object({
  id: z.string().min(2).max(5),
  n: z.number().int().min(-3).max(3).optional(),
  f: z.number().gt(0).lt(1).nullable(),
  tag: z.union([z.literal('a'), z.enum(['b', 'c']), z.number().int()]).default('a'),
  list: z.array(z.boolean()).min(1).max(2).optional(),
  inner: z.strictObject({ x: z.string().regex(/^[xy]+$/) }).optional(),
  loose: z.looseObject({ y: z.string().length(2) }).optional(),
  tree: z.lazy(() => z.array(z.string()).nullable()).optional(),
  d: z.string().default('dflt').optional(),
});
/** Mostly a valid value, sometimes an awkward one, so both verdicts are common. */
const mostly = (valid: fc.Arbitrary<unknown>, other: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: other, weight: 1 });
const toyValue = fc.record(
  {
    id: mostly(fc.string({ minLength: 2, maxLength: 5 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer())),
    n: mostly(fc.integer({ min: -3, max: 3 }), fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), fc.constant(undefined))),
    f: mostly(fc.oneof(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.constant(null)), fc.oneof(fc.double(), fc.constant(0), fc.constant(1))),
    tag: mostly(fc.constantFrom('a', 'b', 'c', undefined, 2), fc.oneof(fc.constantFrom('d', 1.5, null), fc.integer())),
    list: mostly(fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }), fc.oneof(fc.array(fc.oneof(fc.boolean(), fc.constant(0)), { maxLength: 3 }), fc.constant(undefined))),
    inner: mostly(fc.record({ x: fc.constantFrom('x', 'xy') }), fc.oneof(fc.record({ x: fc.constantFrom('z', '') }), fc.record({ x: fc.constant('y'), z: fc.constant(1) }), fc.constant(null))),
    loose: mostly(fc.record({ y: fc.constant('ab'), extra: fc.anything({ maxDepth: 1 }) }, { requiredKeys: ['y'] }), fc.oneof(fc.record({ y: fc.constant('a') }), fc.constant('ab'))),
    tree: mostly(fc.oneof(fc.array(fc.string(), { maxLength: 2 }), fc.constant(null)), fc.array(fc.integer(), { minLength: 1, maxLength: 2 })),
    d: mostly(fc.oneof(fc.string({ maxLength: 2 }), fc.constant(undefined)), fc.constant(3)),
    other: fc.anything({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

test('every supported construct matches zod: strict/strip/loose objects, optional, nullable, default, union, lazy, checks', () => {
  const validate = compileValidator(toy);
  const parse = compileParser(toy);
  let accepted = 0;
  fc.assert(
    fc.property(toyValue, (value) => {
      const expected = toy.safeParse(value);
      assert.equal(validate(value).ok, expected.success);
      const parsed = parse(value);
      assert.equal(parsed.ok, expected.success);
      if (expected.success && parsed.ok) {
        accepted += 1;
        assert.deepStrictEqual(parsed.value, expected.data);
        assert.equal(JSON.stringify(parsed.value), JSON.stringify(expected.data));
      }
    }),
    { numRuns: 5000 },
  );
  assert.ok(accepted > 500, `accepted ${accepted}`);
  assert.ok(accepted < 4500, `accepted ${accepted}`);
});

test('compiling an unsupported construct throws, naming it', () => {
  const cases: [string, z.core.$ZodType][] = [
    ['pipe', z.string().transform((s) => s.length)],
    ['pipe', z.object({ a: z.string().pipe(z.string().min(1)) })],
    ['coerce', z.coerce.number()],
    ['overwrite', z.string().trim()],
    ['record', z.record(z.string(), z.number())],
    ['tuple', z.tuple([z.string()])],
    ['date', z.date()],
    ['discriminated union', z.discriminatedUnion('k', [z.object({ k: z.literal('a') }), z.object({ k: z.literal('b') })])],
    ['catchall', z.object({}).catchall(z.string())],
  ];
  for (const [name, schema] of cases) {
    assert.throws(() => compileValidator(schema), (err: unknown) => err instanceof UnsupportedSchemaError && err.message.includes(name), name);
  }
});

test('refinements and zod-implemented formats give zod verdicts; an object refinement needs the parser', () => {
  const schema = z
    .object({ a: z.string().refine((s) => s.startsWith('x')), b: z.number().multipleOf(3).optional(), e: z.email().optional() })
    .refine((o) => Object.keys(o).length <= 2);
  assert.throws(() => compileValidator(schema), (err: unknown) => err instanceof UnsupportedSchemaError && /refinement on object/.test(err.message));
  const parse = compileParser(schema);
  let accepted = 0;
  const value = fc.record(
    { a: fc.constantFrom('x', 'xy', 'y', 1), b: fc.constantFrom(3, 4, -6, 0.5, undefined), e: fc.constantFrom('a@b.co', 'not-mail', ''), zz: fc.constant(1) },
    { requiredKeys: ['a'] },
  );
  fc.assert(
    fc.property(value, (candidate) => {
      const expected = schema.safeParse(candidate);
      const parsed = parse(candidate);
      assert.equal(parsed.ok, expected.success);
      if (expected.success && parsed.ok) {
        accepted += 1;
        assert.deepStrictEqual(parsed.value, expected.data);
      }
    }),
    { numRuns: 1000 },
  );
  assert.ok(accepted > 20, `accepted ${accepted}`);
});
