// `npm run bench:index`: Kafka → indexer → searchable, against a bare bulk loader of the same
// documents in the same run, then append → searchable latency at half the sustained rate.
// Uses the real Kafka and Elasticsearch (KAFKA_BROKERS, ELASTICSEARCH_URL); creates its own
// topic, namespaces and consumer groups and removes them. BENCH_DOCS sets the document count,
// BENCH_ROUNDS the rounds (default 3), BENCH_LATENCY_SECONDS the latency phase; KAFKA_CLIENT
// and the indexer's INDEXER_* settings pass through to the indexer, BENCH_INDEXER_NODE_OPTIONS
// becomes its NODE_OPTIONS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/indexer-prof" to profile it).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { createAdmin, createProducer } from '@atlas-audit/shared/kafka';
import { createProducer as createClientProducer } from '@atlas-audit/shared/kafka-client';
import { indexLayout, type IndexLayout } from '@atlas-audit/shared/es/index-names';
import { installTemplates } from '@atlas-audit/shared/es/install-templates';
import { schemaMappings } from '@atlas-audit/shared/es/mappings';
import { templatesFor } from '@atlas-audit/shared/es/templates';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { generateSampleData } from '@atlas-audit/dashboards/sample-data';
import { planIndexAction } from '../src/core/index-action.ts';
import { chunkActions, renderBulkBody } from '../src/core/bulk-body.ts';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const esUrl = process.env['ELASTICSEARCH_URL'] ?? 'http://127.0.0.1:9200';
// 100,000 documents make each round several seconds long, so that the last refresh (up to
// 1 s) weighs little in a round's rate.
const wanted = Number(process.env['BENCH_DOCS'] ?? 100_000);
const latencySeconds = Number(process.env['BENCH_LATENCY_SECONDS'] ?? 15);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const kafka = { brokers, clientId: 'index-bench', ssl: false };
const es = new Client({ node: esUrl, requestTimeout: 60_000 });
const suffix = Math.random().toString(16).slice(2, 10);
const mainPath = fileURLToPath(new URL('../src/main.ts', import.meta.url));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function events(count: number, seed: number): AtlasEvent[] {
  const perHour = Math.ceil(count / (3 * 24 * 1.25));
  return generateSampleData({ endMs: Date.now(), hours: 24, seed, auditPerHour: perHour }).events.slice(0, count);
}

/** Searchable documents in `pattern`; 0 while a new index's shard is still starting. */
async function countOf(pattern: string): Promise<number> {
  try {
    return (await es.count({ index: pattern, ignore_unavailable: true, allow_no_indices: true })).count;
  } catch {
    return 0;
  }
}

/** Polls until `pattern` holds `expected` searchable documents; returns the wall time it happened. */
async function searchableAt(pattern: string, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await countOf(pattern)) >= expected) return performance.now();
    if (Date.now() > deadline) throw new Error(`only ${await countOf(pattern)} of ${expected} searchable in ${pattern}`);
    await sleep(50);
  }
}

async function installFor(layout: IndexLayout): Promise<void> {
  await installTemplates(es, templatesFor(layout, schemaMappings()));
}

async function removeNamespace(layout: IndexLayout): Promise<void> {
  await es.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${layout.dlqPattern}`, ignore_unavailable: true, allow_no_indices: true });
  const p = layout.templatePrefix;
  for (const name of [`${p}-events`, `${p}-alerts`, `${p}-dlq`]) await es.indices.deleteIndexTemplate({ name }, { ignore: [404] });
  for (const name of [`${p}-settings`, `${p}-events-mappings`, `${p}-alerts-mappings`, `${p}-dlq-mappings`]) await es.cluster.deleteComponentTemplate({ name }, { ignore: [404] });
}

/**
 * The baseline: the same documents straight into Elasticsearch, bulk requests of the indexer's
 * default size, two in flight. Returns the sustained rate measured like the pipeline's: from the
 * first acknowledged bulk request to the moment every document is searchable, not counting the
 * documents of that first request.
 */
async function bareLoad(docs: readonly AtlasEvent[], layout: IndexLayout): Promise<number> {
  const actions = docs.map((d) => {
    const planned = planIndexAction('event', Buffer.from(JSON.stringify(d)), layout);
    if (!planned.ok) throw new Error(planned.reason);
    return planned.value;
  });
  const chunks = chunkActions(actions, 5_000, 5 * 1_048_576);
  let next = 0;
  let first: { at: number; count: number } | undefined;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++] ?? [];
      const res = (await es.transport.request({ method: 'POST', path: '/_bulk', querystring: { filter_path: 'errors' }, bulkBody: renderBulkBody(chunk) })) as { errors: boolean };
      if (res.errors) throw new Error('bare loader: bulk item errors');
      first ??= { at: performance.now(), count: chunk.length };
    }
  };
  await Promise.all([worker(), worker()]);
  const end = await searchableAt(layout.eventsPattern, docs.length, 120_000);
  if (!first) throw new Error('nothing loaded');
  return (docs.length - first.count) / ((end - first.at) / 1000);
}

/** Sum of the indexer's indexed-document counter. */
/** From the indexer's /metrics: documents indexed so far, and its process CPU seconds (prom-client's default metric). */
async function indexerMetrics(url: string): Promise<{ indexed: number; cpuS: number }> {
  const lines = (await (await fetch(`${url}/metrics`)).text()).split('\n');
  const indexed = lines.filter((l) => l.startsWith('atlas_indexer_documents_total{') && l.includes('outcome="indexed"')).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  const cpuS = Number(lines.find((l) => /^process_cpu_seconds_total[{ ]/.test(l))?.split(' ').pop() ?? Number.NaN);
  return { indexed, cpuS };
}

function startIndexer(env: Record<string, string>): { stop: () => Promise<void>; ready: Promise<string> } {
  const child = spawn(process.execPath, [mainPath], { env: { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: process.env['BENCH_INDEXER_NODE_OPTIONS'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('"indexer started"')) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`indexer exited ${code}`)));
  });
  ready.catch(() => undefined);
  return {
    ready,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

type Topics = { events: string; alerts: string; dlq: string };

/** One pipeline round: a new indexer group and namespace over the backlog already on `topics.events`. */
async function pipelineRound(round: number, docs: readonly AtlasEvent[], topics: Topics): Promise<{ rate: number; busy: number; layout: IndexLayout; indexer: ReturnType<typeof startIndexer>; url: string }> {
  const layout = indexLayout(`bench_pipe_${suffix}_${round}`);
  const indexer = startIndexer({
    // The indexer's own knobs (INDEXER_FLUSH_MS, INDEXER_MAX_IN_FLIGHT, …) pass through.
    ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('INDEXER_') && e[1] !== undefined)),
    KAFKA_BROKERS: brokers.join(','),
    ELASTICSEARCH_URL: esUrl,
    ELASTICSEARCH_NAMESPACE: layout.namespace,
    KAFKA_TOPIC_EVENTS: topics.events,
    KAFKA_TOPIC_ALERTS: topics.alerts,
    KAFKA_TOPIC_DLQ: topics.dlq,
    INDEXER_GROUP_ID: `bench-${suffix}-${round}`,
    LOG_LEVEL: 'info',
    ...(process.env['KAFKA_CLIENT'] ? { KAFKA_CLIENT: process.env['KAFKA_CLIENT'] } : {}),
  });
  // Same measure as the baseline: from the first acknowledged bulk request (the indexer's
  // counter moves) to every document searchable, so the consumer-group join is not counted.
  const url = await indexer.ready;
  let first: { at: number; count: number; cpuS: number } | undefined;
  for (const deadline = Date.now() + 60_000; !first && Date.now() < deadline; await sleep(10)) {
    const { indexed, cpuS } = await indexerMetrics(url);
    if (indexed > 0) first = { at: performance.now(), count: indexed, cpuS };
  }
  if (!first) throw new Error('the indexer indexed nothing in 60 s');
  const end = await searchableAt(layout.eventsPattern, docs.length, 180_000);
  // How busy the indexer process was over the measured span: its CPU time over the wall time.
  const busy = ((await indexerMetrics(url)).cpuS - first.cpuS) / ((end - first.at) / 1000);
  return { rate: (docs.length - first.count) / ((end - first.at) / 1000), busy, layout, indexer, url };
}

async function main(): Promise<void> {
  const topics = { events: `bench-events-${suffix}`, alerts: `bench-alerts-${suffix}`, dlq: `bench-dlq-${suffix}` };
  const admin = await createAdmin(kafka);
  const producer = await createProducer(kafka);
  const layouts: IndexLayout[] = [];
  let indexer: ReturnType<typeof startIndexer> | undefined;
  try {
    const docs = events(wanted, 1);
    process.stdout.write(`documents: ${docs.length} normalised events (~${Math.round(docs.reduce((s, d) => s + JSON.stringify(d).length, 0) / docs.length)} bytes each), ${rounds} rounds alternating bare loader and pipeline\n`);
    await admin.createTopics(Object.values(topics).map((topic) => ({ topic, partitions: 3 })));
    // The producer splits the backlog into requests under the broker's batch limit itself.
    await producer.send(topics.events, docs.map((d) => ({ key: `${d.cloud.project?.id}:${d.user?.name ?? ''}`, value: JSON.stringify(d) })));
    // Rounds alternate the order (bare, pipeline), (pipeline, bare), … so that neither side
    // always runs on a warmer or busier node; each side is reported as its median.
    const bareRates: number[] = [];
    const pipeRates: number[] = [];
    const indexerBusy: number[] = [];
    let piped: { layout: IndexLayout; url: string } | undefined;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['bare', 'pipe'] : ['pipe', 'bare'];
      for (const side of order) {
        if (side === 'bare') {
          const bare = indexLayout(`bench_bare_${suffix}_${round}`);
          layouts.push(bare);
          await installFor(bare);
          bareRates.push(await bareLoad(docs, bare));
          await removeNamespace(bare);
        } else {
          await indexer?.stop();
          if (piped) await removeNamespace(piped.layout);
          const result = await pipelineRound(round, docs, topics);
          layouts.push(result.layout);
          indexer = result.indexer;
          piped = { layout: result.layout, url: result.url };
          pipeRates.push(result.rate);
          indexerBusy.push(result.busy);
        }
      }
      process.stdout.write(`round ${round + 1} (${order.join(' then ')}): bare loader ${Math.round(bareRates[round] ?? 0)} docs/s, pipeline ${Math.round(pipeRates[round] ?? 0)} docs/s, ratio ${((pipeRates[round] ?? 0) / (bareRates[round] ?? 1)).toFixed(2)}; indexer CPU ${Math.round((indexerBusy[round] ?? Number.NaN) * 100)}% of the pipeline's wall time\n`);
    }
    if (!piped) throw new Error('no pipeline round ran');
    const bareRate = median(bareRates);
    const pipeRate = median(pipeRates);
    process.stdout.write(`bare bulk loader → searchable: ${Math.round(bareRate)} docs/s sustained (median of ${rounds})\n`);
    process.stdout.write(`Kafka → indexer → searchable (backlog of ${docs.length}): ${Math.round(pipeRate)} docs/s sustained (median of ${rounds})\n`);
    process.stdout.write(`ratio pipeline / bare loader: ${(pipeRate / bareRate).toFixed(2)} (goal ≥ 0.80; per-round ratios ${pipeRates.map((p, i) => (p / (bareRates[i] ?? 1)).toFixed(2)).join(', ')})\n`);
    const url = piped.url;

    // Latency: produce fresh events at half the sustained rate, in 100 ms slices stamped with
    // their send time in event.ingested, and watch each slice become searchable. "Append" is the
    // moment the broker acknowledged the slice (acks=all on this one-broker cluster: right after
    // it appended the records); the time from the start of the send is reported alongside. The
    // load generator runs on @platformatic/kafka's producer (a quarter of kafkajs' CPU per
    // message, docs/benchmarks.md) with the slices serialised beforehand, so that it keeps up
    // with the target rate in the process that also polls Elasticsearch.
    const rate = Math.max(10, Math.floor(pipeRate / 2));
    const perSlice = Math.max(1, Math.round(rate / 10));
    const slices = latencySeconds * 10;
    // Activity events keep their Atlas id across seeds: drop any id the backlog already has.
    const known = new Set(docs.map((d) => d.event.id));
    const fresh = events(perSlice * slices + 2_000, 2)
      .filter((d) => !known.has(d.event.id) && (known.add(d.event.id), true))
      .slice(0, perSlice * slices);
    // A placeholder as long as an ISO timestamp, replaced by the send time of its slice.
    const placeholder = '0000-00-00T00:00:00.000Z';
    const prepared = Array.from({ length: slices }, (_, s) =>
      fresh.slice(s * perSlice, (s + 1) * perSlice).map((d) => ({ key: `${d.cloud.project?.id}:${d.user?.name ?? ''}`, value: JSON.stringify({ ...d, event: { ...d.event, ingested: placeholder } }) })),
    );
    const loadProducer = await createClientProducer({ ...kafka, client: 'platformatic' });
    // Per acknowledged slice (keyed by its stamp, which is also its send time): its size and ack time.
    const acked = new Map<string, { count: number; atMs: number }>();
    const fromSend: number[] = [];
    const fromAppend: number[] = [];
    const seen = new Map<string, number>();
    let polling = true;
    let lastSentMs = 0;
    // Poll only the acknowledged slices not yet fully searchable, so the measurement adds little load.
    const poller = (async () => {
      while (polling || fromAppend.length < fresh.length) {
        const incomplete = [...acked].filter(([stamp, slice]) => (seen.get(stamp) ?? 0) < slice.count).map(([stamp]) => stamp);
        if (incomplete.length > 0) {
          const res = await es.search({ index: piped.layout.eventsPattern, size: 0, query: { terms: { 'event.ingested': incomplete } }, aggs: { by: { terms: { field: 'event.ingested', size: incomplete.length } } } });
          const now = Date.now();
          for (const bucket of (res.aggregations?.['by'] as { buckets: Array<{ key_as_string: string; doc_count: number }> }).buckets) {
            const slice = acked.get(bucket.key_as_string);
            if (slice === undefined) continue;
            const before = seen.get(bucket.key_as_string) ?? 0;
            for (let i = before; i < bucket.doc_count; i++) {
              fromAppend.push(now - slice.atMs);
              fromSend.push(now - Date.parse(bucket.key_as_string));
            }
            seen.set(bucket.key_as_string, bucket.doc_count);
          }
        }
        if (!polling && Date.now() - lastSentMs > 30_000) break;
        await sleep(50);
      }
    })();
    const start = Date.now();
    try {
      for (let s = 0; s < slices; s++) {
        const due = start + s * 100;
        if (Date.now() < due) await sleep(due - Date.now());
        const stamp = new Date().toISOString();
        const slice = (prepared[s] ?? []).map((m) => ({ key: m.key, value: m.value.replace(placeholder, stamp) }));
        await loadProducer.send(topics.events, slice);
        lastSentMs = Date.now();
        acked.set(stamp, { count: slice.length, atMs: lastSentMs });
      }
    } finally {
      await loadProducer.close();
    }
    const achieved = fresh.length / ((lastSentMs - start) / 1000);
    polling = false;
    await poller;
    fromAppend.sort((a, b) => a - b);
    fromSend.sort((a, b) => a - b);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const sum = Number(/^atlas_indexer_bulk_duration_seconds_sum\S* (\S+)/m.exec(metrics)?.[1] ?? Number.NaN);
    const requests = Number(/^atlas_indexer_bulk_duration_seconds_count\S* (\S+)/m.exec(metrics)?.[1] ?? Number.NaN);
    process.stdout.write(`indexer: ${requests} bulk requests, mean ${Math.round((sum / requests) * 1000)} ms each\n`);
    process.stdout.write(`send start → searchable: p50 ${percentile(fromSend, 50)} ms, p99 ${percentile(fromSend, 99)} ms, max ${fromSend[fromSend.length - 1]} ms\n`);
    process.stdout.write(`append → searchable at ${Math.round(achieved)} docs/s (target ${rate}) for ${latencySeconds} s, ${fromAppend.length}/${fresh.length} docs: p50 ${percentile(fromAppend, 50)} ms, p99 ${percentile(fromAppend, 99)} ms, max ${fromAppend[fromAppend.length - 1]} ms (goal p99 ≤ 2000 ms; refresh_interval 1s)\n`);
  } finally {
    await indexer?.stop();
    await producer.close();
    await admin.deleteTopics(Object.values(topics)).catch(() => undefined);
    await admin.close();
    for (const layout of layouts) await removeNamespace(layout);
    await es.close();
  }
}

await main();
