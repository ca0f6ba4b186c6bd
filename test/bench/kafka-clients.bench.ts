// Kafka client comparison behind the project's interface (shared/src/kafka.ts): kafkajs against
// @platformatic/kafka on the same broker and the same messages. Per round and client: a fresh
// 6-partition topic, N realistic event documents (~1.2 KB JSON, key project:principal) produced
// in sends of BENCH_KAFKA_BATCH (idempotent, acks=all), then read back by a new consumer group
// that commits after each batch. Rounds alternate A B A B …; medians and min–max are reported,
// with CPU time of this process per message (the broker runs in its own process).
// Reads KAFKA_BROKERS; writes only its own topics (deleted after each run) and stdout.
// Run: node test/bench/kafka-clients.bench.ts  (BENCH_KAFKA_MESSAGES, BENCH_KAFKA_ROUNDS, BENCH_KAFKA_BATCH)
import os from 'node:os';
import { generateSampleData } from '@atlas-audit/dashboards/sample-data';
import * as kafkajs from '@atlas-audit/shared/kafka';
import * as platformatic from '@atlas-audit/shared/kafka-platformatic';
import type { BusAdmin, BusConsumer, BusProducer, KafkaConfig, OutgoingMessage } from '@atlas-audit/shared/kafka';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';

type Client = {
  createProducer(config: KafkaConfig): Promise<BusProducer>;
  createConsumer(config: KafkaConfig, groupId: string): Promise<BusConsumer>;
  createAdmin(config: KafkaConfig): Promise<BusAdmin>;
};
type Run = { produceMsgsPerS: number; produceMBPerS: number; produceCpuUsPerMsg: number; consumeMsgsPerS: number; consumeMBPerS: number; consumeCpuUsPerMsg: number; joinMs: number };

const MESSAGES = Number(process.env['BENCH_KAFKA_MESSAGES'] ?? 100_000);
const ROUNDS = Number(process.env['BENCH_KAFKA_ROUNDS'] ?? 3);
const BATCH = Number(process.env['BENCH_KAFKA_BATCH'] ?? 1_000);
const PARTITIONS = 6;
const kafka: KafkaConfig = { brokers: [...endpoints.kafkaBrokers], clientId: 'bench-kafka-clients', ssl: false };
const clients: Array<[string, Client]> = [
  ['kafkajs', kafkajs],
  ['platformatic', platformatic],
];

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const fmt = (n: number, digits = 0): string => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The same N messages for every run: realistic normalised events, cycled from a generated pool. */
function buildMessages(): { messages: OutgoingMessage[]; bytes: number } {
  const pool = generateSampleData({ endMs: Date.now(), hours: 24, seed: 8, auditPerHour: 300 }).events.map((e) => ({
    key: `${e.cloud.project?.id ?? ''}:${e.user?.name ?? ''}`,
    value: JSON.stringify(e),
  }));
  const messages: OutgoingMessage[] = [];
  let bytes = 0;
  for (let i = 0; i < MESSAGES; i += 1) {
    const m = pool[i % pool.length];
    if (m === undefined) throw new Error('empty sample pool');
    messages.push(m);
    bytes += Buffer.byteLength(m.value as string) + Buffer.byteLength(m.key ?? '');
  }
  return { messages, bytes };
}

async function runOnce(name: string, client: Client, messages: OutgoingMessage[], bytes: number): Promise<Run> {
  const topic = `bench-kc-${name}-${uniqueSuffix()}`;
  const admin = await client.createAdmin(kafka);
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  try {
    const producer = await client.createProducer(kafka);
    await producer.send(topic, [{ key: 'warm-up', value: '{}' }]);
    const p0 = performance.now();
    const pc0 = cpuUs();
    for (let i = 0; i < messages.length; i += BATCH) await producer.send(topic, messages.slice(i, i + BATCH));
    const produceMs = performance.now() - p0;
    const produceCpu = cpuUs() - pc0;
    await producer.close();

    const total = messages.length + 1;
    const consumer = await client.createConsumer(kafka, `bench-kc-${uniqueSuffix()}`);
    let count = 0;
    let seenBytes = 0;
    let firstAt = 0;
    let firstCpu = 0;
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const c0 = performance.now();
    await consumer.subscribe([topic], true);
    await consumer.run({
      eachBatch: async ({ messages: batch }) => {
        if (firstAt === 0) {
          firstAt = performance.now();
          firstCpu = cpuUs();
        }
        for (const m of batch) seenBytes += (m.value?.length ?? 0) + (m.key?.length ?? 0);
        count += batch.length;
        if (count >= total) done();
      },
    });
    const timeout = setTimeout(() => done(), 300_000);
    await finished;
    clearTimeout(timeout);
    const lastAt = performance.now();
    const consumeCpu = cpuUs() - firstCpu;
    await consumer.close();
    if (count !== total) throw new Error(`${name}: consumed ${count} of ${total} messages`);
    if (seenBytes < bytes) throw new Error(`${name}: consumed ${seenBytes} bytes, produced ${bytes}`);
    // Throughput from the first batch to the last (group join and first fetch reported apart).
    const consumeMs = lastAt - firstAt;
    return {
      produceMsgsPerS: messages.length / (produceMs / 1000),
      produceMBPerS: bytes / 1e6 / (produceMs / 1000),
      produceCpuUsPerMsg: produceCpu / messages.length,
      consumeMsgsPerS: total / (consumeMs / 1000),
      consumeMBPerS: bytes / 1e6 / (consumeMs / 1000),
      consumeCpuUsPerMsg: consumeCpu / total,
      joinMs: firstAt - c0,
    };
  } finally {
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.close();
  }
}

const { messages, bytes } = buildMessages();
console.log(`messages: ${fmt(MESSAGES)} × ~${fmt(bytes / MESSAGES)} bytes (${fmt(bytes / 1e6, 1)} MB), ${PARTITIONS} partitions, sends of ${fmt(BATCH)}, ${ROUNDS} rounds alternating; load average ${os.loadavg()[0]?.toFixed(1)} on ${os.availableParallelism()} cores`);
const runs = new Map<string, Run[]>(clients.map(([name]) => [name, []]));
for (let round = 1; round <= ROUNDS; round += 1) {
  for (const [name, client] of round % 2 === 1 ? clients : [...clients].reverse()) {
    const r = await runOnce(name, client, messages, bytes);
    runs.get(name)?.push(r);
    console.log(
      `round ${round} ${name.padEnd(12)} produce ${fmt(r.produceMsgsPerS)} msgs/s ${fmt(r.produceMBPerS, 1)} MB/s ${fmt(r.produceCpuUsPerMsg, 1)} µs CPU/msg | consume ${fmt(r.consumeMsgsPerS)} msgs/s ${fmt(r.consumeMBPerS, 1)} MB/s ${fmt(r.consumeCpuUsPerMsg, 1)} µs CPU/msg, first batch after ${fmt(r.joinMs)} ms`,
    );
  }
}

type Figure = keyof Run;
const summary = (name: string, figure: Figure): { median: number; min: number; max: number } => {
  const xs = (runs.get(name) ?? []).map((r) => r[figure]);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
};
const figures: Array<[Figure, string, string, 'higher' | 'lower']> = [
  ['produceMsgsPerS', 'producer throughput (acks=all)', 'msgs/s', 'higher'],
  ['produceMBPerS', 'producer throughput (acks=all)', 'MB/s', 'higher'],
  ['produceCpuUsPerMsg', 'producer CPU per message', 'µs', 'lower'],
  ['consumeMsgsPerS', 'consumer-group throughput', 'msgs/s', 'higher'],
  ['consumeMBPerS', 'consumer-group throughput', 'MB/s', 'higher'],
  ['consumeCpuUsPerMsg', 'consumer CPU per message', 'µs', 'lower'],
  ['joinMs', 'consumer: subscribe to first batch', 'ms', 'lower'],
];
console.log('\nmedian (min–max) over rounds; ratio = platformatic / kafkajs');
for (const [figure, label, unit, better] of figures) {
  const a = summary('kafkajs', figure);
  const b = summary('platformatic', figure);
  const ratio = b.median / a.median;
  const digits = unit === 'msgs/s' || unit === 'ms' ? 0 : 1;
  const winner = (better === 'higher' ? ratio > 1 : ratio < 1) ? 'platformatic' : 'kafkajs';
  console.log(`${`${label} ${unit}`.padEnd(44)} kafkajs ${fmt(a.median, digits)} (${fmt(a.min, digits)}–${fmt(a.max, digits)})  platformatic ${fmt(b.median, digits)} (${fmt(b.min, digits)}–${fmt(b.max, digits)})  ratio ${ratio.toFixed(2)}  better: ${winner}`);
  console.log(`BENCH ${JSON.stringify({ figure: `${label} (${unit}), @platformatic/kafka`, value: +b.median.toFixed(digits), baseline: +a.median.toFixed(digits), baselineName: 'kafkajs', unit, better, spread: { kafkajs: [a.min, a.max].map((x) => +x.toFixed(digits)), platformatic: [b.min, b.max].map((x) => +x.toFixed(digits)) } })}`);
}
