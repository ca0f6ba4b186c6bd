import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// In a child process: replacing the warning listeners here would change the test runner's own.
function runChild(level: string): { stdout: string[]; stderr: string } {
  const script = `
    import { createLogger, logProcessWarnings } from '@atlas-audit/shared/logger';
    const log = createLogger({ name: 'warn-test', level: ${JSON.stringify(level)} });
    logProcessWarnings(log);
    setTimeout(() => {}, -5);
    process.emitWarning('old api', { type: 'DeprecationWarning', code: 'DEP9999' });
    setTimeout(() => {}, 20);
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../', import.meta.url), encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return { stdout: child.stdout.split('\n').filter((l) => l !== ''), stderr: child.stderr };
}

test('process warnings become JSON log lines, none reach stderr as text; the kafkajs negative-timeout warning only at debug', () => {
  const info = runChild('info');
  assert.equal(info.stderr, '');
  const lines = info.stdout.map((l) => JSON.parse(l) as { level: number; msg: string; warning: { name: string; code?: string; message: string } });
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg, l.warning.name, l.warning.code, l.warning.message]),
    [[40, 'process warning', 'DeprecationWarning', 'DEP9999', 'old api']],
  );
  const debug = runChild('debug');
  assert.equal(debug.stderr, '');
  const names = debug.stdout.map((l) => (JSON.parse(l) as { level: number; warning: { name: string } })).map((l) => `${l.level} ${l.warning.name}`);
  assert.deepEqual(names.sort(), ['20 TimeoutNegativeWarning', '40 DeprecationWarning']);
});
