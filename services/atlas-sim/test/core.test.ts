import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { resolveVersion, jsonV20230101, logsGzip } from '../src/core/api-version.ts';
import { clockAt, simTimeAt } from '../src/core/clock.ts';
import { digestResponse, issueNonce, nonceIssuedAt, parseDigestHeader, verifyDigest } from '../src/core/digest.ts';
import { applyFault, type Fault } from '../src/core/faults.ts';
import { paginate, parsePageQuery } from '../src/core/paging.ts';
import { resolveRelativeTimes } from '../src/core/relative-time.ts';
import { parseScenario } from '../src/core/scenario.ts';
import { buildWorld, checkReferences } from '../src/core/world.ts';
import { orgEvents, projectEvents } from '../src/core/events.ts';
import { accessListAt } from '../src/core/posture.ts';
import { takeToken, type BucketState } from '../src/core/token-bucket.ts';

test('token bucket: over any request pattern, grants never exceed capacity plus refill', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 10 }), fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 200 }), (capacity, refillRate, gaps) => {
    const limits = { capacity, refillRate, refillDurationSeconds: 2 };
    let state: BucketState | undefined;
    let now = 1_000_000;
    let granted = 0;
    for (const gap of gaps) {
      now += gap;
      const r = takeToken(limits, state, now);
      state = r.state;
      if (r.allowed) granted++;
      else if (r.retryAfterSeconds < 1) return false;
    }
    const elapsed = now - 1_000_000;
    return granted <= capacity + Math.floor((elapsed / 2000) * refillRate) + 1;
  }));
});

test('token bucket: waiting Retry-After seconds always yields a token', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 120 }), (capacity, refillRate, duration) => {
    const limits = { capacity, refillRate, refillDurationSeconds: duration };
    let state: BucketState | undefined;
    let r = takeToken(limits, state, 0);
    for (let i = 0; i < capacity + 1; i++) {
      r = takeToken(limits, state, 0);
      state = r.state;
    }
    if (r.allowed) return false;
    return takeToken(limits, state, r.retryAfterSeconds * 1000).allowed;
  }));
});

test('digest: a response computed per RFC 7616 verifies; a forged nonce, stale nonce and wrong password do not', () => {
  const secret = 's';
  const keys = new Map([['pub', 'priv']]);
  const nonce = issueNonce(secret, 1000);
  assert.equal(nonce.length, 32);
  assert.equal(nonceIssuedAt(secret, nonce), 1000);
  assert.equal(nonceIssuedAt('other', nonce), undefined);
  const header = (password: string, n = nonce) => `Digest username="pub", realm="MMS Public API", nonce="${n}", uri="/a?b=1", qop=auth, nc=00000001, cnonce="c", response="${digestResponse({ username: 'pub', password, realm: 'MMS Public API', method: 'GET', uri: '/a?b=1', nonce: n, nc: '00000001', cnonce: 'c', qop: 'auth' })}"`;
  assert.deepEqual(verifyDigest(header('priv'), 'GET', '/a?b=1', keys, secret, 2000, 60000), { kind: 'ok', username: 'pub' });
  assert.deepEqual(verifyDigest(header('priv'), 'GET', '/a?b=1', keys, secret, 70000, 60000), { kind: 'stale' });
  assert.equal(verifyDigest(header('nope'), 'GET', '/a?b=1', keys, secret, 2000, 60000).kind, 'denied');
  assert.equal(verifyDigest(header('priv', issueNonce('forger', 1000)), 'GET', '/a?b=1', keys, secret, 2000, 60000).kind, 'denied');
  assert.equal(verifyDigest(header('priv'), 'POST', '/a?b=1', keys, secret, 2000, 60000).kind, 'denied');
  assert.equal(parseDigestHeader('Basic abc'), undefined);
  assert.equal(parseDigestHeader('Digest a="x, y", b=z')?.get('a'), 'x, y');
});

test('media types: dates resolve to the newest version on or before them', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ['application/vnd.atlas.2023-01-01+json', 'application/vnd.atlas.2023-01-01+json;charset=utf-8'],
    ['application/vnd.atlas.2030-01-01+json', 'application/vnd.atlas.2023-01-01+json;charset=utf-8'],
    ['application/json, application/vnd.atlas.2024-05-30+json;q=0.9', 'application/vnd.atlas.2023-01-01+json;charset=utf-8'],
    ['application/vnd.atlas.2022-12-31+json', undefined],
    ['application/vnd.atlas.2023-02-30+json', undefined],
    [undefined, undefined],
  ];
  for (const [accept, expected] of cases) {
    const r = resolveVersion(accept, jsonV20230101);
    assert.equal(r.ok ? r.value.contentType : undefined, expected, String(accept));
  }
  const logs = resolveVersion('application/vnd.atlas.2023-01-15+gzip', logsGzip);
  assert.ok(logs.ok && logs.value.version === '2023-01-01' && logs.value.sunset === 'Thu, 1 Jul 2027 00:00:00 GMT');
  const newer = resolveVersion('application/vnd.atlas.2024-01-01+gzip', logsGzip);
  assert.ok(newer.ok && newer.value.version === '2023-02-01' && newer.value.deprecation === undefined);
});

test('paging: walking next links visits every item exactly once', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 1, max: 500 }), (n, per) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const seen: number[] = [];
    let url = new URL(`http://x/list?itemsPerPage=${per}`);
    for (let guard = 0; guard < 2000; guard++) {
      const q = parsePageQuery(url.searchParams);
      if (!q.ok) return false;
      const page = paginate(items, q.value, url);
      seen.push(...page.results);
      if (page.totalCount !== n) return false;
      const next = page.links.find((l) => l.rel === 'next');
      if (next === undefined) break;
      url = new URL(next.href);
    }
    return seen.length === n && seen.every((v, i) => v === i);
  }));
});

test('faults: count and deadline bound how often a fault fires; non-matching requests pass', () => {
  let faults: Fault[] = [{ id: 'f', kind: 'http-error', status: 500, host: 'h1', count: 2, hits: 0 }, { id: 'g', kind: 'reset', endpoint: 'logs', untilMs: 100, hits: 0 }];
  const fire = (facts: { endpoint: string; host?: string }, now: number) => {
    const r = applyFault(faults, facts, now);
    faults = r.faults;
    return r.fault?.id;
  };
  assert.equal(fire({ endpoint: 'logs', host: 'h1' }, 0), 'f');
  assert.equal(fire({ endpoint: 'processes', host: 'h2' }, 0), undefined);
  assert.equal(fire({ endpoint: 'logs', host: 'h1' }, 0), 'f');
  assert.equal(fire({ endpoint: 'logs', host: 'h1' }, 0), 'g');
  assert.equal(fire({ endpoint: 'logs', host: 'h1' }, 100), undefined);
});

test('clock: speed scales elapsed real time from the anchor; 0 freezes', () => {
  assert.equal(simTimeAt(clockAt(1000, 50, 60), 60), 1600);
  assert.equal(simTimeAt(clockAt(1000, 50, 0), 1e9), 1000);
  assert.equal(simTimeAt(clockAt(5, 5, 1), 10), 10);
});

test('relative scenario times: now-7d is UTC midnight a week back, start+… offsets from it, bad forms are errors', () => {
  const now = Date.parse('2026-11-28T13:20:00Z');
  const r = resolveRelativeTimes({ start: 'now-7d', attacks: [{ at: 'start+2d2h17m' }, { at: 'start+36h30s' }, { at: '2025-01-01T00:00:00Z' }] }, now);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { start: '2026-11-21T00:00:00.000Z', attacks: [{ at: '2026-11-23T02:17:00.000Z' }, { at: '2026-11-22T12:00:30.000Z' }, { at: '2025-01-01T00:00:00Z' }] });
  assert.equal(resolveRelativeTimes({ start: 'now-1w' }, now).ok, false);
  assert.equal(resolveRelativeTimes({ start: '2025-03-01T00:00:00Z', attacks: [{ at: 'start+soon' }] }, now).ok, false);
  assert.equal(resolveRelativeTimes({ start: 'nonsense', attacks: [{ at: 'start+1d' }] }, now).ok, false);
});

test('demo.yaml: relative times need a clock; resolved, every attack lies in the week before it and references resolve', () => {
  const yaml = readFileSync(fileURLToPath(new URL('../scenarios/demo.yaml', import.meta.url)), 'utf8');
  assert.equal(parseScenario(yaml).ok, false);
  const now = Date.parse('2026-11-28T13:20:00Z');
  const parsed = parseScenario(yaml, now);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(checkReferences(parsed.value), []);
  const world = buildWorld(parsed.value);
  assert.equal(world.orgs.length, 2);
  assert.equal(world.projects.length, 4);
  assert.ok(world.attacks.length >= 12);
  assert.ok(world.attacks.every((a) => a.atMs > now - 7 * 86_400_000 && a.atMs < now));
});

test('a scenario that ends: attacks scheduled after its end never happen (no activity event, no posture change), those before it do', () => {
  const yaml = readFileSync(fileURLToPath(new URL('../scenarios/test-small.yaml', import.meta.url)), 'utf8');
  const endMs = Date.parse('2025-03-03T03:00:00Z');
  const parsed = parseScenario(`${yaml}\nend: ${new Date(endMs).toISOString()}\n`);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  const scheduledAfter = parsed.value.attacks.filter((a) => Date.parse(a.at) >= endMs);
  assert.ok(scheduledAfter.some((a) => a.type === 'access-list-open'), 'the scenario schedules an access-list attack after this end');
  const world = buildWorld(parsed.value);
  assert.equal(world.attacks.length, parsed.value.attacks.length - scheduledAfter.length);
  assert.ok(world.attacks.some((a) => a.attack.type === 'role-grant'), 'an attack before the end is kept');
  const farMs = endMs + 30 * 86_400_000;
  for (const project of world.projects) {
    const events = projectEvents(world, project, world.startMs, farMs);
    assert.deepEqual(events.filter((e) => e.createdMs >= endMs).map((e) => `${e.eventTypeName} ${e.created}`), [], `${project.name}: no activity after the end`);
    assert.deepEqual(accessListAt(world, project, farMs), accessListAt(world, project, endMs - 1), `${project.name}: access list frozen at the end`);
  }
  for (const org of world.orgs) assert.ok(orgEvents(world, org, world.startMs, farMs).every((e) => e.createdMs < endMs));
});
