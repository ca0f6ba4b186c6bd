import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseCliArgs } from '../src/core/args.ts';
import { expandInputs } from '../src/core/inputs.ts';
import { hintsFromFileName } from '../src/core/file-name.ts';
import { sniffContent } from '../src/core/sniff.ts';
import { forEachLine } from '../src/core/split-lines.ts';
import { renderProgress } from '../src/core/progress.ts';
import { createTimeSpan, formatDuration } from '../src/core/time-span.ts';
import { countInvalid, createSummary, reasonClass, renderSummary } from '../src/core/summary.ts';
import { runScan } from '../src/run.ts';
import type { ScanPorts } from '../src/run.ts';
import { createDetector } from '../src/detector.ts';

const line = (n: number, result = 0): string => `{"atype":"authenticate","ts":{"$date":"2025-03-04T14:00:${String(n % 60).padStart(2, '0')}.000+00:00"},"remote":{"ip":"203.0.113.${n % 250}","port":4000},"param":{"user":"u${n}","db":"admin","mechanism":"SCRAM-SHA-256"},"result":${result}}`;

test('file names give host and log name', () => {
  assert.deepEqual(hintsFromFileName('/tmp/atlas-3mu7hn-shard-00-00.zsv9js.mongodb-dev.net_2026-08-09T03:44:46.000000781_2026-08-10T03:44:46.000000781_MONGODB_AUDIT_LOG.log.gz'), { host: 'atlas-3mu7hn-shard-00-00.zsv9js.mongodb-dev.net', logName: 'mongodb-audit-log' });
  assert.deepEqual(hintsFromFileName('h1_2026-08-09T03:44:46.000000781_2026-08-10T03:44:46.000000781_MONGOS_AUDIT_LOG.log.gz'), { host: 'h1', logName: 'mongos-audit-log' });
  assert.deepEqual(hintsFromFileName('dir/mongodb-audit-log.gz'), { logName: 'mongodb-audit-log' });
  assert.deepEqual(hintsFromFileName('cluster0-shard-00-01.abc.mongodb.net_mongos-audit-log.gz'), { host: 'cluster0-shard-00-01.abc.mongodb.net', logName: 'mongos-audit-log' });
  assert.deepEqual(hintsFromFileName('random.json'), {});
  // One folder per host, each holding the CLI's mongodb-audit-log.gz: the folder names the host.
  assert.deepEqual(hintsFromFileName('logs/atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net/mongodb-audit-log.gz'), { host: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net', logName: 'mongodb-audit-log' });
  assert.deepEqual(hintsFromFileName('gov/atlas-abc-shard-00-00.x1.mongodbgov.net/mongos-audit-log.gz'), { host: 'atlas-abc-shard-00-00.x1.mongodbgov.net', logName: 'mongos-audit-log' });
  assert.deepEqual(hintsFromFileName('other-host.x7rgm.mongodb.net/h1_mongodb-audit-log.gz'), { host: 'h1', logName: 'mongodb-audit-log' }, 'the file name wins');
  assert.deepEqual(hintsFromFileName('downloads/2025-03-04/mongodb-audit-log.gz'), { logName: 'mongodb-audit-log' }, 'any other folder name says nothing');
  assert.deepEqual(hintsFromFileName('x.mongodb.net/random.json'), {}, 'not an audit log name');
});

test('content is recognised by its bytes, not its name', () => {
  assert.equal(sniffContent(Buffer.from('')).kind, 'empty');
  assert.equal(sniffContent(Buffer.from(' \n ')).kind, 'empty');
  assert.equal(sniffContent(Buffer.from(`${line(1)}\n${line(2)}\n`)).kind, 'audit');
  assert.equal(sniffContent(Buffer.from(line(1))).kind, 'audit');
  assert.equal(sniffContent(Buffer.from('garbage\n{"atype":"x"}')).kind, 'audit');
  assert.equal(sniffContent(Buffer.from('{"accessLogs":[]}')).kind, 'access');
  assert.equal(sniffContent(Buffer.from('{"links":[],"results":[],"totalCount":0}')).kind, 'events');
  assert.equal(sniffContent(Buffer.from('[{"id":"a","eventTypeName":"X","created":"2025-01-01T00:00:00Z"}]')).kind, 'events');
  assert.equal(sniffContent(Buffer.from('{"takenAt":"2025-01-01T00:00:00.000Z","auditLog":{}}')).kind, 'posture');
  assert.equal(sniffContent(Buffer.from('{"error":401,"errorCode":"UNEXPECTED_ERROR"}')).kind, 'unrecognised');
});

test('lines split on LF and CRLF, skip empty lines and keep file line numbers', () => {
  const seen: [string, number][] = [];
  forEachLine(Buffer.from('a\r\n\nb\nc'), (bytes, n) => seen.push([bytes.toString(), n]));
  assert.deepEqual(seen, [['a', 1], ['b', 3], ['c', 4]]);
});

test('arguments: all options, help, and every problem listed at once', () => {
  const parsed = parseCliArgs(['scan', '--project', 'p', '--host', 'h', '--tz', 'Europe/Zurich', '--rules', 'r.yaml', '--events', 'a.gz', 'b.json']);
  assert.deepEqual(parsed, { ok: true, value: { command: 'scan', options: { project: 'p', host: 'h', timeZone: 'Europe/Zurich', rulesFile: 'r.yaml', events: true, progress: true, files: ['a.gz', 'b.json'] } } });
  assert.deepEqual(parseCliArgs([]), { ok: true, value: { command: 'help' } });
  const bad = parseCliArgs(['scan', '--tz', 'Nowhere/City']);
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.match(bad.reason, /no FILE/);
    assert.match(bad.reason, /unknown time zone/);
  }
  assert.equal(parseCliArgs(['scan', '--bogus', 'x']).ok, false);
  assert.equal(parseCliArgs(['frobnicate']).ok, false);
});

/** In-memory files, served in chunks of `chunkBytes` so lines and gzip members straddle chunks. */
function ports(files: Record<string, Buffer>, isTTY: boolean, chunkBytes = 7): ScanPorts & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    isTTY,
    openFile: (path) => {
      const bytes = files[path];
      if (bytes === undefined) throw new Error(`ENOENT: ${path}`);
      return {
        sizeBytes: bytes.length,
        chunks: (async function* () {
          for (let i = 0; i < bytes.length; i += chunkBytes) yield bytes.subarray(i, i + chunkBytes);
        })(),
      };
    },
    writeOut: (text) => {
      out.push(text);
    },
    writeErr: (text) => {
      err.push(text);
    },
    createDetector,
  };
}

test('run: invalid lines are counted and never stop the scan; alerts from the detector are written', async () => {
  const files = { 'a.log': Buffer.from(`${line(1)}\nnot json\n${line(2, 18)}\n`), 'b.log': Buffer.from(line(3)) };
  const io = ports(files, false);
  const code = await runScan({ timeZone: 'UTC', events: true, progress: true, files: ['a.log', 'missing.log', 'b.log'] }, io);
  assert.equal(code, 1);
  assert.equal(io.out.join('').trimEnd().split('\n').length, 3);
  const summary = io.err.join('');
  assert.match(summary, /events: 3, invalid: 1/);
  assert.match(summary, /a\.log:2: invalid JSON/);
  assert.match(summary, /missing\.log: unreadable, 0 records \(ENOENT/);

  const alerting = { ...ports(files, false), createDetector: () => ({ evaluate: (e: { event: { outcome: string } }) => (e.event.outcome === 'failure' ? [{ rule: 'failed-login' }] : []), flush: () => [{ rule: 'flushed' }] }) };
  await runScan({ timeZone: 'UTC', events: false, progress: true, files: ['a.log'] }, alerting);
  assert.equal(alerting.out.join(''), '{"rule":"failed-login"}\n{"rule":"flushed"}\n');
});

test('run: a progress bar only for large input on a TTY', async () => {
  const big = Buffer.from(Array.from({ length: 60_000 }, (_, i) => line(i)).join('\n'));
  assert.ok(big.length > 8 * 1024 * 1024);
  const tty = ports({ big: big }, true, 1024 * 1024);
  await runScan({ timeZone: 'UTC', events: false, progress: true, files: ['big'] }, tty);
  assert.ok(tty.err.some((text) => text.startsWith('\r[')));
  const pipe = ports({ big: big }, false, 1024 * 1024);
  await runScan({ timeZone: 'UTC', events: false, progress: true, files: ['big'] }, pipe);
  assert.equal(pipe.err.some((text) => text.startsWith('\r[')), false);
  const small = ports({ small: Buffer.from(line(1)) }, true);
  await runScan({ timeZone: 'UTC', events: false, progress: true, files: ['small'] }, small);
  assert.equal(small.err.some((text) => text.startsWith('\r[')), false);
  assert.equal(renderProgress(50, 100, 7, 10), '\r[#####.....]  50% 7 events');
});

test('run: streamed input in tiny chunks gives the same events as whole-buffer scanning, for every content kind', async () => {
  const audit = Buffer.from(`${line(1)}\r\n\n${line(2, 18)}\n${line(1)}\n{"atype":"x","ts":`);
  const files = {
    'plain.log': audit,
    'audit.gz': Buffer.concat([gzipSync(audit.subarray(0, 100)), gzipSync(audit.subarray(100))]),
    'access.json': Buffer.from(JSON.stringify({ accessLogs: [{ authResult: false, username: 'u', ipAddress: '203.0.113.1', timestamp: 'Tue Mar 04 14:07:40 GMT 2025' }] })),
    'empty.gz': Buffer.alloc(0),
    'blank.json': Buffer.from('  \n'),
  };
  const results: string[] = [];
  for (const chunkBytes of [1, 3, 64, 1 << 20]) {
    const io = ports(files, false, chunkBytes);
    assert.equal(await runScan({ timeZone: 'UTC', events: true, progress: false, files: Object.keys(files) }, io), 0);
    results.push(`${io.out.join('')}\n---\n${io.err.join('')}`);
  }
  for (const result of results) assert.equal(result, results[0], 'chunking must not change the output');
  const out = results[0] ?? '';
  assert.match(out, /events: 7, invalid: 2/);
  assert.match(out, /plain\.log:5: invalid JSON/);
  assert.match(out, /empty\.gz: empty, 0 records/);
  assert.match(out, /blank\.json: empty, 0 records/);
  const ids = out.split('\n---\n')[0]?.trimEnd().split('\n').map((l) => (JSON.parse(l) as { event: { id: string } }).event.id) ?? [];
  assert.equal(ids[0] === ids[2], false, 'a repeated line in one file gets its own id');
  assert.equal(ids[0], ids[3], 'the same line from the plain and the gzipped copy (same coordinates) gets the same id');
});

test('run: a damaged gzip stream keeps what was recovered and says so', async () => {
  const body = Buffer.from(Array.from({ length: 3000 }, (_, i) => line(i)).join('\n'));
  const gz = gzipSync(body);
  const io = ports({ 'cut.gz': gz.subarray(0, Math.floor(gz.length * 0.6)), 'junk.gz': Buffer.from([0x1f, 0x8b, 1, 2, 3]) }, false, 4096);
  assert.equal(await runScan({ timeZone: 'UTC', events: false, progress: false, files: ['cut.gz', 'junk.gz'] }, io), 1);
  const summary = io.err.join('');
  assert.match(summary, /cut\.gz: audit, \d+ records \(gzip stream damaged/);
  assert.match(summary, /junk\.gz: unreadable, 0 records \(gzip:/);
  const records = Number(/cut\.gz: audit, (\d+) records/.exec(summary)?.[1]);
  assert.ok(records > 100 && records < 3000, String(records));
});

test('run: a slow stdout is waited for, and nothing is lost or reordered', async () => {
  const body = Buffer.from(Array.from({ length: 5000 }, (_, i) => line(i)).join('\n'));
  const fast = ports({ a: body }, false, 65536);
  await runScan({ timeZone: 'UTC', events: true, progress: false, files: ['a'] }, fast);
  const slow = ports({ a: body }, false, 65536);
  let waits = 0;
  slow.writeOut = (text) => {
    slow.out.push(text);
    waits += 1;
    return new Promise((resolve) => setImmediate(resolve));
  };
  await runScan({ timeZone: 'UTC', events: true, progress: false, files: ['a'] }, slow);
  assert.ok(waits > 1);
  assert.equal(slow.out.join(''), fast.out.join(''));
  assert.equal(fast.out.join('').split('\n').length, 5001);
});

test('summary: reasons are grouped without their values; no-data markers and blank lines are skipped, not invalid', () => {
  assert.equal(reasonClass('invalid JSON: Unexpected token h'), 'invalid JSON');
  assert.equal(reasonClass('ts: unrecognised timestamp: not a date'), 'ts: unrecognised timestamp');
  assert.equal(reasonClass('created: unrecognised timestamp: not-a-date'), 'created: unrecognised timestamp');
  assert.equal(reasonClass('missing atype'), 'missing atype');
  assert.equal(reasonClass('ts: invalid $date'), 'ts: invalid $date');
  const summary = createSummary();
  countInvalid(summary, 'a:1', 'no-data marker');
  countInvalid(summary, 'a:2', 'blank line');
  countInvalid(summary, 'a:3', 'ts: unrecognised timestamp: x');
  const text = renderSummary(summary);
  assert.match(text, /events: 0, invalid: 1, skipped: 2, alerts: 0\n/);
  assert.match(text, /Atlas' no-data marker: no data for the window, or the host was unreachable: 1/);
  assert.match(text, /first 1 invalid records:\n {2}a:3: ts: unrecognised timestamp: x\n/);
});

test('inputs: a directory stands for its regular files, recursively, sorted, hidden entries and sockets skipped, each directory once', () => {
  // A fake tree: 'loop' links back to the root; the listing comes back in no particular order.
  const dirs: Record<string, string[]> = { logs: ['b.gz', '.DS_Store', 'hostA', 'a.json', 'loop', 'empty'], 'logs/hostA': ['z.gz', 'm.gz'], 'logs/loop': ['b.gz', 'hostA'], 'logs/empty': [], bare: [] };
  const files = new Set(['logs/b.gz', 'logs/a.json', 'logs/.DS_Store', 'logs/hostA/z.gz', 'logs/hostA/m.gz', 'logs/loop/b.gz', 'one.gz']);
  dirs['logs']?.push('agent.sock');
  const bare = (path: string) => path.replace(/\/$/, '');
  const fs = {
    kindOf: (path: string) => (bare(path) in dirs ? ('dir' as const) : files.has(path) ? ('file' as const) : path.endsWith('.sock') ? ('other' as const) : undefined),
    list: (path: string) => [...(dirs[bare(path)] ?? [])],
    realPath: (path: string) => (path === 'logs/loop' ? 'logs' : bare(path)),
  };
  assert.deepEqual(expandInputs(['one.gz', 'logs', '-', 'bare', 'missing.gz'], fs), ['one.gz', 'logs/a.json', 'logs/b.gz', 'logs/hostA/m.gz', 'logs/hostA/z.gz', '-', 'bare', 'missing.gz']);
  assert.deepEqual(expandInputs(['logs/'], fs).slice(0, 1), ['logs/a.json']);
});

test("the summary gives each file's event-time span, whatever the order of its lines", async () => {
  const files = { 'late-first.log': Buffer.from(`${line(40)}\n${line(5)}\nnot json\n${line(59)}\n${line(12)}\n`), 'one.log': Buffer.from(line(7)), 'bad.log': Buffer.from('not json\n') };
  const io = ports(files, false);
  await runScan({ timeZone: 'UTC', events: true, progress: true, files: ['late-first.log', 'one.log', 'bad.log'] }, io);
  const summary = io.err.join('');
  // In time order the events are at :05, :12, :40, :59: the longest silence is the 28 s after :12.
  assert.match(summary, /file late-first\.log: audit, 5 records; event time 2025-03-04T14:00:05\.000Z to 2025-03-04T14:00:59\.000Z, longest silence 28 s after 2025-03-04T14:00:12\.000Z\n/);
  assert.match(summary, /file one\.log: audit, 1 record; event time 2025-03-04T14:00:07\.000Z to 2025-03-04T14:00:07\.000Z\n/);
  assert.match(summary, /file bad\.log: audit, 1 record\n/, 'no events, no span');
});

test('time span: first and last over all events, the longest silence over audit events in time order', () => {
  const span = createTimeSpan();
  assert.equal(span.result(), undefined);
  for (const at of ['2025-03-04T10:30:00.000Z', '2025-03-04T10:00:00.000Z', '2025-03-04T10:05:00.000Z', '2025-03-04T10:31:00.000Z']) span.add(at, true);
  span.add('2025-03-04T09:00:00.000Z', false);
  span.add('2025-03-04T12:00:00.000Z', false);
  // Arrival order would say 30 min after 10:00 (10:00 → 10:30); in time order it is 25 min after 10:05.
  assert.deepEqual(span.result(), { first: '2025-03-04T09:00:00.000Z', last: '2025-03-04T12:00:00.000Z', silence: { ms: 25 * 60_000, after: '2025-03-04T10:05:00.000Z' } });
  const many = createTimeSpan();
  for (let i = 0; i < 5000; i++) many.add(new Date(Date.UTC(2025, 2, 4) + (i === 4000 ? 9_000_000 : i) * 1000).toISOString(), true);
  assert.equal(many.result()?.silence?.ms, (9_000_000 - 4999) * 1000, 'past the first buffer');
  assert.deepEqual(['950 ms', '42 s', '12 min 3 s', '5 h 7 min'], [950, 42_000, 723_000, 18_420_000].map(formatDuration));
});
