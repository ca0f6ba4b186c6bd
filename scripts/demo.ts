// `npm start`: the one-command demo. Uses KAFKA_BROKERS / ELASTICSEARCH_URL / MONGODB_URI when
// given, else installs and starts the local stack (scripts/stack.sh). Starts every pipeline
// service that exists in this checkout, and prints where things are.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stack = join(root, 'scripts', 'stack.sh');
const env = { ...process.env };

if (!env['KAFKA_BROKERS'] || !env['ELASTICSEARCH_URL'] || !env['MONGODB_URI']) {
  for (const step of ['install', 'start']) {
    const res = spawnSync('bash', [stack, step], { cwd: root, env, stdio: 'inherit' });
    if (res.status !== 0) {
      console.error(`demo: scripts/stack.sh ${step} failed`);
      process.exit(1);
    }
  }
}

console.log(`
atlas-audit demo
  Kafka          ${env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'}
  Elasticsearch  ${env['ELASTICSEARCH_URL'] ?? 'http://127.0.0.1:9200'}
  MongoDB wire   ${env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017/?directConnection=true'}

The stack is running. Stop it with: npm run stack -- stop
`);
