// `npm test`: runs unit tests, then integration tests against real Kafka, Elasticsearch and a
// MongoDB-wire server. Reads KAFKA_BROKERS, ELASTICSEARCH_URL, MONGODB_URI; when any is unset
// it installs and starts the local stack (scripts/stack.sh) and stops it afterwards if it
// started it (unless KEEP_STACK=1). Installs Debian's chromium when missing. Writes nothing but
// test output.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stack = join(root, 'scripts', 'stack.sh');
const env: Record<string, string | undefined> = { ...process.env };
const extra = process.argv.slice(2);

function run(cmd: string, args: string[]): number {
  const res = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  return res.status ?? 1;
}

let startedStack = false;
const needsStack = !env['KAFKA_BROKERS'] || !env['ELASTICSEARCH_URL'] || !env['MONGODB_URI'];
if (needsStack) {
  const wasUp = spawnSync('bash', [stack, 'status'], { cwd: root, env, stdio: 'ignore' }).status === 0;
  if (!wasUp) {
    if (run('bash', [stack, 'install']) !== 0 || run('bash', [stack, 'start']) !== 0) {
      console.error('run-tests: the local stack did not start; see the log tail above');
      process.exit(1);
    }
    startedStack = true;
  }
  env['KAFKA_BROKERS'] ??= '127.0.0.1:9092';
  env['ELASTICSEARCH_URL'] ??= 'http://127.0.0.1:9200';
  env['MONGODB_URI'] ??= 'mongodb://127.0.0.1:27017/?directConnection=true';
}

// The review report test renders HTML in headless Chromium (Debian package).
if (!existsSync('/usr/bin/chromium') && run('bash', [join(root, 'scripts', 'install-chromium.sh')]) !== 0) {
  console.error('run-tests: could not install chromium (scripts/install-chromium.sh)');
  process.exit(1);
}

const unitGlobs = ['shared/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'dashboards/test/**/*.test.ts'];
const integrationGlobs = ['test/integration/**/*.test.ts'];
const node = process.execPath;
// kafkajs 2.2.4 (used directly by some test files) schedules its idle request-queue timer at a
// negative delay, which Node 24 reports as TimeoutNegativeWarning on stderr; the services log it
// at debug (logProcessWarnings). Only that warning type is silenced, and only in the test files
// themselves: the processes they spawn keep Node's defaults.
const quiet = '--disable-warning=TimeoutNegativeWarning';
let status = run(node, [quiet, '--test', '--test-reporter=spec', ...unitGlobs, ...extra]);
if (existsSync(join(root, 'test', 'integration'))) {
  // Integration tests share one broker and one node: run the files one at a time.
  const integration = run(node, [quiet, '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=600000', ...integrationGlobs, ...extra]);
  status = status || integration;
}
if (startedStack && env['KEEP_STACK'] !== '1') run('bash', [stack, 'stop']);
process.exit(status);
