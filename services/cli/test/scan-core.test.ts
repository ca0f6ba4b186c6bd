import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseCliArgs } from '../src/core/args.ts';
import { decompress } from '../src/core/decompress.ts';
import { hintsFromFileName } from '../src/core/file-name.ts';
import { sniffContent } from '../src/core/sniff.ts';
import { forEachLine } from '../src/core/split-lines.ts';
import { renderProgress } from '../src/core/progress.ts';
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

test('decompress: plain passes through, 0 bytes stay empty, multi-member gzip joins, truncated gzip is salvaged', () => {
  const plain = Buffer.from('abc\n');
  assert.equal(decompress(plain).ok && decompress(plain).ok ? (decompress(plain) as { value: { bytes: Buffer } }).value.bytes.toString() : '', 'abc\n');
  const empty = decompress(Buffer.alloc(0));
  assert.ok(empty.ok && empty.value.bytes.length === 0);
  const multi = decompress(Buffer.concat([gzipSync('one\n'), gzipSync('two\n')]));
  assert.ok(multi.ok);
  assert.equal(multi.value.bytes.toString(), 'one\ntwo\n');
  const body = Array.from({ length: 2000 }, (_, i) => line(i)).join('\n');
  const gz = gzipSync(body);
  const truncated = decompress(gz.subarray(0, Math.floor(gz.length / 2)));
  assert.ok(truncated.ok);
  assert.match(truncated.value.note ?? '', /damaged/);
  assert.ok(truncated.value.bytes.length > 0 && truncated.value.bytes.length < body.length);
  assert.equal(decompress(Buffer.from([0x1f, 0x8b, 0, 0])).ok, false);
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

function ports(files: Record<string, Buffer>, isTTY: boolean): ScanPorts & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    isTTY,
    readFile: (path) => {
      const bytes = files[path];
      if (bytes === undefined) throw new Error(`ENOENT: ${path}`);
      return bytes;
    },
    writeOut: (text) => out.push(text),
    writeErr: (text) => err.push(text),
    createDetector,
  };
}

test('run: invalid lines are counted and never stop the scan; alerts from the detector are written', () => {
  const files = { 'a.log': Buffer.from(`${line(1)}\nnot json\n${line(2, 18)}\n`), 'b.log': Buffer.from(line(3)) };
  const io = ports(files, false);
  const code = runScan({ timeZone: 'UTC', events: true, progress: true, files: ['a.log', 'missing.log', 'b.log'] }, io);
  assert.equal(code, 1);
  assert.equal(io.out.join('').trimEnd().split('\n').length, 3);
  const summary = io.err.join('');
  assert.match(summary, /events: 3, invalid: 1/);
  assert.match(summary, /a\.log:2: invalid JSON/);
  assert.match(summary, /missing\.log: unreadable, 0 records \(ENOENT/);

  const alerting = { ...ports(files, false), createDetector: () => ({ evaluate: (e: { event: { outcome: string } }) => (e.event.outcome === 'failure' ? [{ rule: 'failed-login' }] : []), flush: () => [{ rule: 'flushed' }] }) };
  runScan({ timeZone: 'UTC', events: false, progress: true, files: ['a.log'] }, alerting);
  assert.equal(alerting.out.join(''), '{"rule":"failed-login"}\n{"rule":"flushed"}\n');
});

test('run: a progress bar only for large input on a TTY', () => {
  const big = Buffer.from(Array.from({ length: 60_000 }, (_, i) => line(i)).join('\n'));
  assert.ok(big.length > 8 * 1024 * 1024);
  const tty = ports({ big: big }, true);
  runScan({ timeZone: 'UTC', events: false, progress: true, files: ['big'] }, tty);
  assert.ok(tty.err.some((text) => text.startsWith('\r[')));
  const pipe = ports({ big: big }, false);
  runScan({ timeZone: 'UTC', events: false, progress: true, files: ['big'] }, pipe);
  assert.equal(pipe.err.some((text) => text.startsWith('\r[')), false);
  const small = ports({ small: Buffer.from(line(1)) }, true);
  runScan({ timeZone: 'UTC', events: false, progress: true, files: ['small'] }, small);
  assert.equal(small.err.some((text) => text.startsWith('\r[')), false);
  assert.equal(renderProgress(50, 100, 7, 10), '\r[#####.....]  50% 7 events');
});
