import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mainPath = fileURLToPath(new URL('../src/main.ts', import.meta.url));

test('detect refuses to start on an invalid rules file, listing every problem, and exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detect-main-'));
  try {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, 'businessHours:\n  timeZone: Nowhere/Land\nrules:\n  new-ip:\n    lookbackDays: -3\n  typo-rule: {}\n');
    const res = spawnSync(process.execPath, [mainPath], {
      env: { PATH: process.env['PATH'] ?? '', KAFKA_BROKERS: '127.0.0.1:1', MONGODB_URI: 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500', DETECT_RULES_FILE: rules, LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(res.status, 1);
    const fatal = JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as { msg?: string; err?: { message?: string; code?: string } };
    assert.equal(fatal.msg, 'detect failed to start');
    assert.equal(fatal.err?.code, 'CONFIG_INVALID');
    assert.match(fatal.err?.message ?? '', /3 problem\(s\)/);
    for (const path of ['businessHours.timeZone', 'rules.new-ip.lookbackDays', 'rules: Unrecognized key: "typo-rule"']) assert.ok(fatal.err?.message?.includes(path), path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
