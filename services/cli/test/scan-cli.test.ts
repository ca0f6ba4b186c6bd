import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { atlasEventSchema } from '@atlas-audit/shared/schema/event';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const bin = `${root}bin/atlas-audit`;
const fixtures = `${root}shared/test/fixtures`;
const files = ['audit', 'access', 'events', 'posture'].flatMap((dir) =>
  readdirSync(`${fixtures}/${dir}`)
    .sort()
    .map((name) => `${fixtures}/${dir}/${name}`),
);

async function scan(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(bin, ['scan', ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const failed = err as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

test('scan --events over every fixture prints only schema-valid events, byte-identical across runs', async () => {
  const args = ['--events', '--project', '65f0c0ffee0ddba11ab1e5e1', '--cluster', 'Cluster0', ...files];
  const first = await scan(args);
  const second = await scan(args);
  assert.equal(first.code, 0, first.stderr);
  const lines = first.stdout.trimEnd().split('\n');
  const reported = /events: (\d+), invalid: (\d+)/.exec(first.stderr);
  assert.ok(reported, first.stderr);
  assert.equal(lines.length, Number(reported[1]));
  assert.ok(lines.length > 150, `only ${lines.length} events`);
  const datasets = new Set<string>();
  const ids = new Set<string>();
  for (const line of lines) {
    const parsed = atlasEventSchema.safeParse(JSON.parse(line));
    assert.ok(parsed.success, line.slice(0, 200));
    datasets.add(parsed.data.event.dataset);
    ids.add(parsed.data.event.id);
  }
  assert.deepEqual([...datasets].sort(), ['atlas.access', 'atlas.activity', 'atlas.audit', 'atlas.posture']);
  // The plain and the gzipped copy of the audit log differ in host coordinates (file name), so no id repeats.
  assert.equal(ids.size, lines.length);
  assert.equal(second.stdout, first.stdout, 'two scans of the same input are byte-identical');
  assert.equal(second.stderr, first.stderr);
});

test('the summary counts sources, outcomes and invalid lines with their locations', async () => {
  const result = await scan([`${fixtures}/audit/mongodb-audit-log.ndjson`, `${fixtures}/audit/mongodb-audit-log.gz`]);
  assert.equal(result.code, 0);
  const alerts = result.stdout.length === 0 ? [] : result.stdout.trimEnd().split('\n');
  for (const alert of alerts) assert.equal((JSON.parse(alert) as { event: { kind: string } }).event.kind, 'alert');
  assert.match(result.stderr, /mongodb-audit-log\.gz: empty, 0 records/);
  // The no-data marker is not a record: shown as skipped, with what it means, not as invalid.
  assert.match(result.stderr, new RegExp(`events: 56, invalid: 4, skipped: 1, alerts: ${alerts.length}\n`));
  assert.match(result.stderr, /skipped lines \(not records\):\n {2}Atlas' no-data marker: no data for the window, or the host was unreachable: 1\n/);
  assert.match(result.stderr, /invalid records by reason:\n {2}invalid JSON: 2\n {2}missing atype: 1\n {2}ts: unrecognised timestamp: 1\n/);
  assert.match(result.stderr, /atlas\.audit failure: 8/);
  assert.match(result.stderr, /mongodb-audit-log\.ndjson:61: invalid JSON/);
});

test('host and log name default from the Atlas download file name', async () => {
  const gz = files.find((file) => file.endsWith('_MONGODB_AUDIT_LOG.log.gz')) ?? '';
  const result = await scan(['--events', gz]);
  const event = JSON.parse(result.stdout.split('\n')[0] ?? '{}') as { host?: { name: string }; atlas: { log_name?: string } };
  assert.equal(event.host?.name, 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net');
  assert.equal(event.atlas.log_name, 'mongodb-audit-log');
  const overridden = await scan(['--events', '--host', 'other-host', gz]);
  assert.match(overridden.stdout.split('\n')[0] ?? '', /"host":\{"name":"other-host"\}/);
});

test('bad usage exits 2 with the reason; an unreadable file exits 1 but the other files are still scanned', async () => {
  const usage = await scan(['--tz', 'Mars/Olympus', 'x']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown time zone/);
  const missing = await scan(['--events', `${fixtures}/no-such-file.gz`, `${fixtures}/audit/mongos-audit-log.ndjson`]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout.trimEnd().split('\n').length, 2);
  assert.match(missing.stderr, /no-such-file\.gz: unreadable/);
  const rules = await scan(['--rules', `${fixtures}/no-such-rules.yaml`, `${fixtures}/audit/mongos-audit-log.ndjson`]);
  assert.equal(rules.code, 2);
  assert.match(rules.stderr, /^atlas-audit: cannot read rules file/);
});

test('the bin shim resolves its own location through symlinks (as npm links it)', async () => {
  const { mkdtempSync, symlinkSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/atlas-audit-bin-`);
  try {
    symlinkSync(bin, `${dir}/atlas-audit`);
    const { stdout } = await run(`${dir}/atlas-audit`, ['help'], { encoding: 'utf8' });
    assert.match(stdout, /^Usage: atlas-audit scan/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("'-' reads stdin, gzipped or plain", async () => {
  const { spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const gz = readFileSync(files.find((file) => file.endsWith('_MONGODB_AUDIT_LOG.log.gz')) ?? '');
  const child = spawn(bin, ['scan', '--events', '--host', 'h', '-'], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(gz);
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /file -: audit, 61 records/);
  assert.equal(stdout.trimEnd().split('\n').length, 56);
});

test('a directory argument scans every file under it, in name order, as if each were named', async () => {
  const { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/atlas-audit-dir-`);
  try {
    const audit = 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net_2025-03-04T14:00:00.000000000_2025-03-04T14:15:00.000000000_MONGODB_AUDIT_LOG.log.gz';
    mkdirSync(`${dir}/host-a`);
    mkdirSync(`${dir}/empty`);
    copyFileSync(`${fixtures}/audit/${audit}`, `${dir}/host-a/${audit}`);
    copyFileSync(`${fixtures}/access/cluster0-access-history.json`, `${dir}/access.json`);
    writeFileSync(`${dir}/.DS_Store`, 'not a log');
    const named = await scan(['--events', `${dir}/access.json`, `${dir}/host-a/${audit}`]);
    const walked = await scan(['--events', dir]);
    assert.equal(walked.code, 0, walked.stderr);
    assert.equal(walked.stdout, named.stdout);
    assert.equal(walked.stderr, named.stderr, 'the same files in the same order, the hidden file skipped');
    const empty = await scan(['--events', `${dir}/empty`]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /empty: unreadable, 0 records \(.*is a directory with no files to scan\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('posture snapshots are diffed in takenAt order, whatever order the files come in', async () => {
  const first = `${fixtures}/posture/snapshot-1.json`;
  const second = `${fixtures}/posture/snapshot-2.json`;
  const diffs = (stdout: string): string[] => stdout.trimEnd().split('\n').filter((line) => (JSON.parse(line) as { atlas: { diff?: unknown } }).atlas.diff !== undefined);
  const forward = await scan(['--events', '--project', '65f0c0ffee0ddba11ab1e5e1', first, second]);
  const backward = await scan(['--events', '--project', '65f0c0ffee0ddba11ab1e5e1', second, first]);
  assert.equal(forward.code, 0, forward.stderr);
  assert.ok(diffs(forward.stdout).length > 0);
  assert.deepEqual(diffs(backward.stdout), diffs(forward.stdout));
  // Only the diffs move: both runs give the same events.
  assert.deepEqual(backward.stdout.trimEnd().split('\n').sort(), forward.stdout.trimEnd().split('\n').sort());
});
