import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { accessHistory } from '../src/core/access-history.ts';
import { chunkMs, chunkStartOf, chunksOverlapping } from '../src/core/chunks.ts';
import { isLateLine, lineBytes, linesForHostChunk, linesForWindow, publishedLinesForHostChunk } from '../src/core/host-chunk.ts';
import { parseScenario, type Scenario } from '../src/core/scenario.ts';
import { buildWorld, checkReferences, type World } from '../src/core/world.ts';
import { analytics, payments, smallYaml } from './helpers.ts';

function scenario(): Scenario {
  const parsed = parseScenario(smallYaml);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}
const world = buildWorld(scenario());
const primary = (w: World, projectId: string) => w.projectById.get(projectId)!.processes[0]!;
const start = Date.parse('2025-03-03T02:00:00Z');
const decoder = new TextDecoder('utf-8', { fatal: true });

test('the small scenario validates and its references resolve', () => {
  assert.deepEqual(checkReferences(scenario()), []);
  assert.equal(world.projects.length, 2);
  assert.deepEqual(world.projects.map((p) => p.processes.length), [3, 9]);
});

test('a bad scenario lists every problem', () => {
  const bad = parseScenario('name: x\nstart: yesterday\norgs: []\n');
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.match(bad.reason, /start/);
    assert.match(bad.reason, /orgs/);
  }
  assert.equal(parseScenario('{{{').ok, false);
});

test('the same scenario and seed give byte-identical chunks; another seed gives different ones', () => {
  const again = buildWorld(scenario());
  const other = buildWorld(scenario(), 99);
  const host = primary(world, payments).hostname;
  for (let c = start; c < start + 6 * chunkMs; c += chunkMs) {
    const a = linesForHostChunk(world, payments, host, 'mongodb-audit-log', c).map((l) => Buffer.from(lineBytes(l)).toString('hex'));
    const b = linesForHostChunk(again, payments, host, 'mongodb-audit-log', c).map((l) => Buffer.from(lineBytes(l)).toString('hex'));
    assert.deepEqual(a, b);
    assert.ok(a.length > 50, `chunk ${c} has ${a.length} lines`);
    const x = linesForHostChunk(other, payments, host, 'mongodb-audit-log', c).map((l) => Buffer.from(lineBytes(l)).toString('hex'));
    assert.notDeepEqual(a, x);
  }
});

test('every line of a chunk is timestamped inside it, in write order, valid lines parse as mongo-schema JSON', () => {
  const host = primary(world, payments).hostname;
  let spaced = 0;
  let compact = 0;
  for (let c = start; c < start + 12 * chunkMs; c += chunkMs) {
    let last = 0;
    for (const line of linesForHostChunk(world, payments, host, 'mongodb-audit-log', c)) {
      assert.ok(line.t >= c && line.t < c + chunkMs);
      assert.ok(line.t >= last);
      last = line.t;
      if (line.invalid !== undefined) continue;
      const doc = JSON.parse(line.text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(doc), ['atype', 'ts', 'uuid', 'local', 'remote', 'users', 'roles', 'param', 'result']);
      assert.equal(Date.parse((doc['ts'] as { $date: string }).$date), line.t);
      if (line.text.startsWith('{ "atype" : ')) spaced++;
      else if (line.text.startsWith('{"atype":"')) compact++;
      else assert.fail(`unexpected style ${line.text.slice(0, 20)}`);
    }
  }
  assert.ok(spaced > 100 && compact > 100, `spaced ${spaced} compact ${compact}`);
});

test('invalid lines are flagged, really invalid, and about the configured fraction', () => {
  const host = primary(world, payments).hostname;
  let total = 0;
  const kinds = new Map<string, number>();
  for (let c = start; c < start + 24 * chunkMs; c += chunkMs) {
    for (const line of linesForHostChunk(world, payments, host, 'mongodb-audit-log', c)) {
      total++;
      let parses = true;
      try {
        JSON.parse(decoder.decode(lineBytes(line)));
      } catch {
        parses = false;
      }
      assert.equal(parses, line.invalid === undefined, `${line.invalid} ${line.text.slice(0, 60)}`);
      if (line.invalid !== undefined) kinds.set(line.invalid, (kinds.get(line.invalid) ?? 0) + 1);
    }
  }
  const invalid = [...kinds.values()].reduce((a, b) => a + b, 0);
  assert.deepEqual([...kinds.keys()].sort(), ['invalid-json', 'invalid-utf8', 'truncated']);
  assert.ok(invalid > total * 0.005 && invalid < total * 0.02, `${invalid} of ${total}`);
});

test('chunk rule: a window returns whole chunks that overlap it, so lines just outside it come too', () => {
  const host = primary(world, payments).hostname;
  const now = start + 24 * 3600000;
  const windowStart = start + 7 * 60000;
  const windowEnd = start + 13 * 60000;
  assert.deepEqual(chunksOverlapping(windowStart, windowEnd), [start + chunkMs, start + 2 * chunkMs]);
  const lines = linesForWindow(world, payments, host, 'mongodb-audit-log', windowStart, windowEnd, now);
  const expected = [start + chunkMs, start + 2 * chunkMs].flatMap((c) => linesForHostChunk(world, payments, host, 'mongodb-audit-log', c));
  assert.deepEqual(lines.map((l) => l.text), expected.map((l) => l.text));
  assert.ok(lines.some((l) => l.t < windowStart) && lines.some((l) => l.t > windowEnd));
  fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 13 }), fc.integer({ min: 0, max: 10 ** 7 }), (a, len) => {
    const chunks = chunksOverlapping(a, a + len);
    return chunks[0] === chunkStartOf(a) && chunks.every((c) => c <= a + len && c + chunkMs > a);
  }));
});

test('a chunk is invisible until its end plus the publication lag', () => {
  const host = primary(world, payments).hostname;
  const c = start + 3 * chunkMs;
  const publishedAt = c + chunkMs + 300000;
  assert.equal(publishedLinesForHostChunk(world, payments, host, 'mongodb-audit-log', c, publishedAt - 1).length, 0);
  assert.equal(publishedLinesForHostChunk(world, payments, host, 'mongodb-audit-log', c, publishedAt).length, linesForHostChunk(world, payments, host, 'mongodb-audit-log', c).length);
});

test('late lines: held back from a first poll, present in a later one, and exactly the flagged ones', () => {
  const host = primary(world, payments).hostname;
  const c = start + 3 * chunkMs;
  const late = { fraction: 0.2, delayMs: 600000, sinceMs: start };
  const publishedAt = c + chunkMs + 300000;
  const all = linesForHostChunk(world, payments, host, 'mongodb-audit-log', c);
  const early = publishedLinesForHostChunk(world, payments, host, 'mongodb-audit-log', c, publishedAt, late);
  const lateIdx = all.map((_, i) => i).filter((i) => isLateLine(world, host, 'mongodb-audit-log', c, i, late));
  assert.ok(lateIdx.length > all.length * 0.1 && lateIdx.length < all.length * 0.3);
  assert.equal(early.length, all.length - lateIdx.length);
  assert.equal(publishedLinesForHostChunk(world, payments, host, 'mongodb-audit-log', c, publishedAt + 600000, late).length, all.length);
  // Chunks older than `sinceMs` are not affected.
  const before = start - chunkMs;
  assert.equal(publishedLinesForHostChunk(world, payments, host, 'mongodb-audit-log', before, publishedAt, late).length, linesForHostChunk(world, payments, host, 'mongodb-audit-log', before).length);
});

test('the brute-force attack shows 40 failures from its IP, then a success', () => {
  const host = primary(world, payments).hostname;
  const at = Date.parse('2025-03-03T02:11:00Z');
  const lines = linesForWindow(world, payments, host, 'mongodb-audit-log', at, at + 5 * 60000, at + 3600000).filter((l) => l.invalid === undefined);
  const docs = lines.map((l) => JSON.parse(l.text) as { atype: string; result: number; remote: { ip?: string }; param: { user?: string } });
  const fromAttacker = docs.filter((d) => d.atype === 'authenticate' && d.remote.ip === '192.0.2.66');
  const failures = fromAttacker.filter((d) => d.result !== 0);
  const invalidNearby = lines.length !== linesForWindow(world, payments, host, 'mongodb-audit-log', at, at + 5 * 60000, at + 3600000).length;
  assert.ok(failures.length === 40 || (invalidNearby && failures.length >= 38), `${failures.length}`);
  assert.ok(failures.some((d) => d.result === 11 && d.param.user === 'root'));
  assert.ok(fromAttacker.some((d) => d.result === 0 && d.param.user === 'app_svc'));
});

test('self-grant and dropDatabase attacks appear on the primary only', () => {
  const p = world.projectById.get(payments)!;
  const window = [Date.parse('2025-03-03T02:45:00Z'), Date.parse('2025-03-03T03:10:00Z')] as const;
  const atypes = (hostname: string) => linesForWindow(world, payments, hostname, 'mongodb-audit-log', window[0], window[1], window[1] + 3600000).filter((l) => l.invalid === undefined).map((l) => JSON.parse(l.text) as { atype: string; param: Record<string, unknown>; users: Array<{ user: string }> });
  const onPrimary = atypes(p.processes[0]!.hostname);
  const grant = onPrimary.find((d) => d.atype === 'grantRolesToUser');
  assert.ok(grant !== undefined);
  assert.equal(grant.param['user'], 'dba_ops');
  assert.equal(grant.users[0]?.user, 'dba_ops');
  assert.ok(onPrimary.some((d) => d.atype === 'dropDatabase' && d.param['ns'] === 'sales'));
  assert.equal(onPrimary.filter((d) => d.atype === 'dropCollection').length, 2);
  assert.ok(!atypes(p.processes[1]!.hostname).some((d) => d.atype === 'grantRolesToUser' || d.atype === 'dropDatabase'));
});

test('audit disabled: no audit lines while it is off, but server logs continue', () => {
  const host = world.projectById.get(analytics)!.processes[0]!.hostname;
  const off = Date.parse('2025-03-03T03:30:00Z');
  const during = linesForWindow(world, analytics, host, 'mongodb-audit-log', off, off + 19 * 60000, off + 7200000);
  assert.equal(during.length, 0);
  assert.ok(linesForWindow(world, analytics, host, 'mongodb', off, off + 19 * 60000, off + 7200000).length > 0);
  assert.ok(linesForWindow(world, analytics, host, 'mongodb-audit-log', off - 15 * 60000, off - 60000, off + 7200000).length > 0);
});

test('audit reconfiguration is a rolling restart: shutdown before, startup after, from the system itself', () => {
  const p = world.projectById.get(analytics)!;
  const off = Date.parse('2025-03-03T03:30:00Z');
  for (const process of p.processes) {
    const logName = process.kind === 'mongos' ? 'mongos-audit-log' : 'mongodb-audit-log';
    const docs = linesForWindow(world, analytics, process.hostname, logName, off - 3600000, off + 3600000, off + 7200000)
      .filter((l) => l.invalid === undefined)
      .map((l) => JSON.parse(l.text) as { atype: string; ts: { $date: string }; remote: unknown });
    const shutdown = docs.filter((d) => d.atype === 'shutdown');
    const startup = docs.filter((d) => d.atype === 'startup');
    assert.equal(shutdown.length, 1, process.hostname);
    assert.equal(startup.length, 1, process.hostname);
    assert.ok(Date.parse(shutdown[0]!.ts.$date) < off);
    assert.ok(Date.parse(startup[0]!.ts.$date) > off + 20 * 60000);
    assert.deepEqual(startup[0]!.remote, { isSystemUser: true });
  }
});

test('sharded cluster: user sessions land in mongos-audit-log, agents in both', () => {
  const host = world.projectById.get(analytics)!.processes[0]!.hostname;
  const window = [start, start + 30 * 60000] as const;
  const users = (logName: 'mongodb-audit-log' | 'mongos-audit-log') => new Set(linesForWindow(world, analytics, host, logName, window[0], window[1], window[1] + 3600000).filter((l) => l.invalid === undefined).flatMap((l) => (JSON.parse(l.text) as { users: Array<{ user: string }> }).users.map((u) => u.user)));
  assert.ok(users('mongos-audit-log').has('etl'));
  assert.ok(!users('mongodb-audit-log').has('etl'));
  assert.ok(users('mongodb-audit-log').has('mms-automation'));
});

test('working hours: a Paris 9–18 user logs in far more in office hours than at night', () => {
  const p = world.projectById.get(payments)!;
  const count = (fromIso: string) => {
    const from = Date.parse(fromIso);
    return accessHistory(world, p, p.processes, { startMs: from, endMs: from + 4 * 3600000, nLogs: 20000 }, from + 5 * 3600000).filter((e) => e.username === 'dba_ops').length;
  };
  const office = count('2025-03-03T09:00:00Z');
  const night = count('2025-03-03T19:00:00Z');
  assert.ok(office >= 10, `office ${office}`);
  assert.ok(night <= 2, `night ${night}`);
});

test('property: with any rates, every line of every process stays inside its chunk', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 1000 }), (agentOps, userOps, chunkIndex, seed) => {
    const s = scenario();
    const variant: Scenario = { ...s, agents: { ...s.agents, opsPerConnection: agentOps }, orgs: s.orgs.map((o) => ({ ...o, projects: o.projects.map((p) => ({ ...p, users: p.users.map((u) => ({ ...u, opsPerSession: userOps })) })) })) };
    const w = buildWorld(variant, seed);
    const c = w.startMs + chunkIndex * chunkMs;
    for (const project of w.projects) {
      for (const process of project.processes) {
        const logName = process.kind === 'mongos' ? 'mongos-audit-log' : 'mongodb-audit-log';
        for (const line of linesForHostChunk(w, project.id, process.hostname, logName, c)) if (line.t < c || line.t >= c + chunkMs) return false;
      }
    }
    return true;
  }), { numRuns: 25 });
});
