// `npm start`: the one-command demo. Reads KAFKA_BROKERS / ELASTICSEARCH_URL / MONGODB_URI when
// given (else installs and starts the local stack with scripts/stack.sh, and leaves it running),
// KIBANA_URL (optional), DEMO_SECONDS (how long to let the pipeline run, default 60),
// DEMO_AGENTS=full (keep the Atlas agents' full noise), DEMO_KEEP_RUNNING=1 (keep the services up
// after the summary until Ctrl-C). Writes: its own Kafka topics, Elasticsearch namespace and
// MongoDB database (named demo-<run id>, left in place for Kibana), service logs and the access
// review under os.tmpdir()/atlas-audit-demo-<run id>/, and the summary to stdout.
// Starts as child processes: the Atlas simulator on services/atlas-sim/scenarios/demo.yaml,
// ingest, detect, indexer, siem (to a webhook receiver in this process); then runs
// `atlas-audit setup` before and `atlas-audit review` after. Ctrl-C / SIGTERM stops the children.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { dashboardSpecs } from '@atlas-audit/dashboards/dashboards-spec';
import { stableId } from '@atlas-audit/dashboards/saved-object';
import { createAdmin } from '@atlas-audit/shared/kafka';

// kafkajs (the demo's topic admin) trips Node 24's TimeoutNegativeWarning; other warnings still print.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'TimeoutNegativeWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const env: Record<string, string | undefined> = { ...process.env };
const seconds = Number(env['DEMO_SECONDS'] ?? 60);
const runId = Date.now().toString(36);
const dir = join(tmpdir(), `atlas-audit-demo-${runId}`);
const children: Array<{ name: string; child: ChildProcess }> = [];
const say = (text: string): void => void process.stdout.write(`${text}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

if (!env['KAFKA_BROKERS'] || !env['ELASTICSEARCH_URL'] || !env['MONGODB_URI']) {
  for (const step of ['install', 'start']) {
    const res = spawnSync('bash', [join(root, 'scripts', 'stack.sh'), step], { cwd: root, env, stdio: 'inherit' });
    if (res.status !== 0) {
      console.error(`demo: scripts/stack.sh ${step} failed`);
      process.exit(1);
    }
  }
}
const kafkaBrokers = env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const esUrl = (env['ELASTICSEARCH_URL'] ?? 'http://127.0.0.1:9200').replace(/\/+$/, '');
const mongoUri = env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017/?directConnection=true';
const kibanaUrl = env['KIBANA_URL']?.replace(/\/+$/, '');

const namespace = `demo_${runId}`;
const topics = { events: `demo-${runId}.atlas.events.v1`, alerts: `demo-${runId}.atlas.alerts.v1`, dlq: `demo-${runId}.atlas.dlq.v1`, retry: `demo-${runId}.atlas.alerts.retry.v1`, checkpoints: `demo-${runId}.atlas.ingest.checkpoints.v1` };
const common = { PATH: env['PATH'] ?? '', KAFKA_BROKERS: kafkaBrokers, ELASTICSEARCH_URL: esUrl, MONGODB_URI: mongoUri, MONGODB_DATABASE: `demo_${runId}`, LOG_LEVEL: 'info', HTTP_HOST: '127.0.0.1' };
for (const key of ['ELASTICSEARCH_API_KEY', 'ELASTICSEARCH_USERNAME', 'ELASTICSEARCH_PASSWORD', 'ELASTICSEARCH_CA_FILE', 'KAFKA_SSL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KIBANA_URL', 'KIBANA_API_KEY', 'KIBANA_USERNAME', 'KIBANA_PASSWORD', 'KIBANA_SPACE']) {
  const value = env[key];
  if (value !== undefined) Object.assign(common, { [key]: value });
}

/** A free TCP port on loopback. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function start(name: string, entry: string, extra: Record<string, string>): void {
  const log = createWriteStream(join(dir, `${name}.log`));
  const child = spawn(node, [join(root, entry)], { cwd: root, env: { ...common, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.once('exit', (code, signal) => {
    if (!stopping) say(`demo: ${name} exited (${signal ?? code}); see ${join(dir, `${name}.log`)}`);
  });
  children.push({ name, child });
}

let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  await Promise.all(
    children.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\ndemo: ${signal}, stopping the services it started (the stack keeps running)`);
    void stopAll().then(() => process.exit(130));
  });
}

async function es(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (env['ELASTICSEARCH_API_KEY']) headers['authorization'] = `ApiKey ${env['ELASTICSEARCH_API_KEY']}`;
  const res = await fetch(`${esUrl}${path}`, { method: body === undefined ? 'GET' : 'POST', headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return (await res.json()) as Record<string, unknown>;
}
type Bucket = { key: string; doc_count: number };
async function termsOf(index: string, field: string): Promise<Bucket[]> {
  const r = await es(`/${index}/_search?ignore_unavailable=true&allow_no_indices=true`, { size: 0, track_total_hits: true, aggs: { by: { terms: { field, size: 50 } } } });
  return ((r['aggregations'] as { by?: { buckets?: Bucket[] } } | undefined)?.by?.buckets ?? []);
}
const sum = (buckets: Bucket[]): number => buckets.reduce((s, b) => s + b.doc_count, 0);

// The scenario: demo.yaml as written, with the Atlas agents' background noise turned down unless
// DEMO_AGENTS=full (it is ~95 % of the week's 4.7 million audit lines, too much for a one-minute demo).
mkdirSync(dir, { recursive: true });
const scenario = parse(readFileSync(join(root, 'services/atlas-sim/scenarios/demo.yaml'), 'utf8')) as Record<string, unknown>;
if (env['DEMO_AGENTS'] !== 'full') scenario['agents'] = { automationPerMinute: 0.01, monitoringPerMinute: 0.02, systemPerMinute: 0.01, opsPerConnection: 0 };
writeFileSync(join(dir, 'scenario.yaml'), stringify(scenario));
const orgIds = ((scenario['orgs'] ?? []) as Array<{ id: string; projects: Array<{ id: string; name: string }> }>);
const payments = orgIds.flatMap((o) => o.projects).find((p) => p.name === 'payments-prod');

// Detection rules for the demo estate: business hours in Paris (people elsewhere in their zone),
// the approved admins, a one-day learning period so a week of history is enough for new-ip, and
// host silence judged over a day (with the agents turned down, idle config servers and
// secondaries are silent for hours; the control-plane part of audit-impaired is unchanged).
writeFileSync(
  join(dir, 'rules.yaml'),
  stringify({
    businessHours: { timeZone: 'Europe/Paris', principalTimeZones: [{ principal: 'tom.analyst', timeZone: 'America/New_York' }, { principal: 'priya.ds', timeZone: 'Asia/Kolkata' }, { principal: 'milton', timeZone: 'America/Chicago' }] },
    approvedRoles: [{ principal: 'marie.dba', roles: ['atlasAdmin'] }],
    rules: { 'new-ip': { learningDays: 1 }, 'audit-impaired': { silenceMinutes: 1440 } },
  }),
);

say(`atlas-audit demo ${runId}
  Kafka          ${kafkaBrokers}   topics demo-${runId}.*
  Elasticsearch  ${esUrl}   namespace ${namespace}
  MongoDB wire   ${mongoUri.replace(/\/\/[^@/]*@/, '//***@')}   database demo_${runId}
  logs, rules, scenario, review: ${dir}`);

const admin = await createAdmin({ brokers: kafkaBrokers.split(','), clientId: 'atlas-audit-demo', ssl: env['KAFKA_SSL'] === 'true' });
await admin.createTopics([
  { topic: topics.events, partitions: 6 },
  { topic: topics.alerts, partitions: 3 },
  { topic: topics.dlq, partitions: 1 },
  { topic: topics.retry, partitions: 1 },
]);
await admin.close();

const setup = spawnSync(node, [join(root, 'services/cli/src/main.ts'), 'setup'], { cwd: root, env: { ...common, ELASTICSEARCH_NAMESPACE: namespace }, encoding: 'utf8' });
say(`\n$ atlas-audit setup\n${(setup.stdout + setup.stderr).trim()}`);

// The SIEM's webhook sink posts here; the demo counts what arrives.
const webhookAlerts = new Set<string>();
const receiver = createHttpServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      for (const a of Array.isArray(body) ? body : [body]) webhookAlerts.add(String((a as { event?: { id?: string } }).event?.id ?? JSON.stringify(a)));
    } catch {
      // Counted only when it parses; the siem service logs its own delivery errors.
    }
    res.writeHead(200).end('{}');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;

const simPort = await freePort();
const atlasUrl = `http://127.0.0.1:${simPort}`;
start('atlas-sim', 'services/atlas-sim/src/main.ts', { SIM_PORT: String(simPort), SIM_SCENARIO: join(dir, 'scenario.yaml'), SIM_API_KEYS: 'demo-public:demo-private-key' });
for (let i = 0; i < 100; i += 1) {
  if (await fetch(`${atlasUrl}/api/atlas/v2`).then(() => true, () => false)) break;
  await sleep(200);
}
const ports = { ingest: await freePort(), detect: await freePort(), indexer: await freePort(), siem: await freePort() };
start('detect', 'services/detect/src/main.ts', { HTTP_PORT: String(ports.detect), DETECT_GROUP_ID: `demo-${runId}-detect`, KAFKA_TOPIC_EVENTS: topics.events, KAFKA_TOPIC_ALERTS: topics.alerts, KAFKA_TOPIC_DLQ: topics.dlq, DETECT_RULES_FILE: join(dir, 'rules.yaml') });
start('indexer', 'services/indexer/src/main.ts', { HTTP_PORT: String(ports.indexer), INDEXER_GROUP_ID: `demo-${runId}-indexer`, KAFKA_TOPIC_EVENTS: topics.events, KAFKA_TOPIC_ALERTS: topics.alerts, KAFKA_TOPIC_DLQ: topics.dlq, ELASTICSEARCH_NAMESPACE: namespace });
start('siem', 'services/siem/src/main.ts', { HTTP_PORT: String(ports.siem), SIEM_GROUP_ID: `demo-${runId}-siem`, SIEM_ALERTS_TOPIC: topics.alerts, SIEM_RETRY_TOPIC: topics.retry, SIEM_SINKS: JSON.stringify([{ type: 'webhook', name: 'demo-webhook', url: webhookUrl }]) });
start('ingest', 'services/ingest/src/main.ts', {
  HTTP_PORT: String(ports.ingest),
  ATLAS_BASE_URL: atlasUrl,
  ATLAS_PUBLIC_KEY: 'demo-public',
  ATLAS_PRIVATE_KEY: 'demo-private-key',
  ATLAS_ORG_IDS: orgIds.map((o) => o.id).join(','),
  INGEST_START_LOOKBACK_MS: String(8 * 86_400_000),
  INGEST_AUDIT_MAX_WINDOW_MS: String(6 * 3_600_000),
  INGEST_ACCESS_MAX_WINDOW_MS: String(24 * 3_600_000),
  INGEST_AUDIT_INTERVAL_MS: '30000',
  INGEST_ACCESS_INTERVAL_MS: '30000',
  INGEST_EVENTS_INTERVAL_MS: '30000',
  TOPIC_EVENTS: topics.events,
  TOPIC_DLQ: topics.dlq,
  TOPIC_INGEST_CHECKPOINTS: topics.checkpoints,
  INGEST_TRANSACTIONAL_ID_PREFIX: `demo-${runId}`,
});
say(`\nstarted: ${children.map((c) => `${c.name} (pid ${c.child.pid})`).join(', ')}; simulator at ${atlasUrl}`);
say(`health: ${Object.entries(ports).map(([name, port]) => `${name} http://127.0.0.1:${port}/readyz`).join('  ')}`);

const eventsIndex = `atlas-audit-events-${namespace}-*`;
const alertsIndex = `logs-atlas_audit.alerts-${namespace}`;
const t0 = Date.now();
let lastEvents = -1;
let lastAlerts = -1;
let settledPolls = 0;
for (;;) {
  await sleep(5_000);
  const [events, alerts] = await Promise.all([termsOf(eventsIndex, 'event.dataset').then(sum).catch(() => 0), termsOf(alertsIndex, 'rule.id').then(sum).catch(() => 0)]);
  const elapsed = Math.round((Date.now() - t0) / 1000);
  say(`  ${String(elapsed).padStart(3)} s  events searchable ${events}  alerts ${alerts}  delivered to the SIEM webhook ${webhookAlerts.size}`);
  // The week of history is in once only live traffic trickles in (a few events per poll).
  settledPolls = events > 0 && alerts === lastAlerts && events - lastEvents < 200 ? settledPolls + 1 : 0;
  lastEvents = events;
  lastAlerts = alerts;
  if (elapsed >= seconds && alerts > 0 && settledPolls >= 2) break;
  if (elapsed >= seconds + 90) break;
}

say('\nIngested (searchable in Elasticsearch), by dataset:');
for (const b of await termsOf(eventsIndex, 'event.dataset')) say(`  ${b.key.padEnd(28)} ${b.doc_count}`);
say('\nAlerts raised, by rule (count, highest severity, one example):');
const byRule = await es(`/${alertsIndex}/_search?ignore_unavailable=true`, {
  size: 0,
  aggs: { by: { terms: { field: 'rule.id', size: 50 }, aggs: { top: { top_hits: { size: 1, sort: [{ risk_score: 'desc' }, { '@timestamp': 'asc' }], _source: ['@timestamp', 'severity', 'message'] } } } } },
});
type RuleBucket = Bucket & { top: { hits: { hits: Array<{ _source: { '@timestamp'?: string; severity?: string; message?: string } }> } } };
for (const b of ((byRule['aggregations'] as { by?: { buckets?: RuleBucket[] } } | undefined)?.by?.buckets ?? [])) {
  const s = b.top.hits.hits[0]?._source;
  say(`  ${b.key.padEnd(26)} ${String(b.doc_count).padStart(4)}  ${(s?.severity ?? '').padEnd(8)} ${s?.['@timestamp']?.slice(0, 16) ?? ''}  ${s?.message ?? ''}`);
}
say(`\nSIEM webhook received ${webhookAlerts.size} distinct alerts.`);

if (payments !== undefined) {
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 8 * 86_400_000).toISOString().slice(0, 10);
  const review = spawnSync(node, [join(root, 'services/cli/src/main.ts'), 'review', '--project', payments.id, '--from', from, '--to', today, '--out', join(dir, 'review')], { cwd: root, env: { ...common, INDEX_NAMESPACE: namespace, REVIEW_OUTPUT_DIR: join(dir, 'review') }, encoding: 'utf8' });
  const printed = (review.stdout + review.stderr).split('\n').filter((l) => !l.startsWith('{')).join('\n').trim();
  say(`\n$ atlas-audit review --project ${payments.id} (${payments.name}) --from ${from} --to ${today}\n${printed}`);
}
if (kibanaUrl) {
  say('\nKibana dashboards:');
  const space = env['KIBANA_SPACE'] && env['KIBANA_SPACE'] !== 'default' ? `/s/${encodeURIComponent(env['KIBANA_SPACE'])}` : '';
  for (const spec of dashboardSpecs) say(`  ${spec.title.padEnd(40)} ${kibanaUrl}${space}/app/dashboards#/view/${stableId(`dashboard:${spec.id}`)}`);
} else {
  say('\nKibana: not configured (set KIBANA_URL to import the dashboards and print their links).');
}

if (env['DEMO_KEEP_RUNNING'] === '1') {
  say('\nThe services keep running; Ctrl-C stops them (the stack keeps running).');
} else {
  await stopAll();
  receiver.close();
  say(`\nStopped the services the demo started. The stack keeps running (stop it with: npm run stack -- stop).`);
  say(`Demo data stays in Kafka topics demo-${runId}.*, indices *-${namespace}*, MongoDB database demo_${runId}.`);
  process.exit(0);
}
