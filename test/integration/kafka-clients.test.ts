import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as kafkajs from '@atlas-audit/shared/kafka';
import * as platformatic from '@atlas-audit/shared/kafka-platformatic';
import type { BusConsumer, OutgoingMessage } from '@atlas-audit/shared/kafka';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';

// The same exactly-once property as kafka.test.ts, for each client behind the project's interface,
// plus what makes them interchangeable: the same partition for the same key, and commits only
// after eachBatch resolves (a failed batch is delivered again, nothing is skipped).

const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'it-kafka-clients', ssl: false };
const clients = { kafkajs, platformatic } as const;
const total = 10_000;
const keys = 50;

function messages(): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (let i = 0; i < total; i += 1) out.push({ key: `project:user-${i % keys}`, value: JSON.stringify({ seq: i, key: i % keys }), headers: { origin: 'it' } });
  return out;
}

type Seen = { count: Map<number, number>; partitions: Set<number>; partitionOfKey: Map<string, number>; outOfOrder: number };

async function consumeAll(consumer: BusConsumer, topic: string, failFirstBatchOf?: number): Promise<Seen> {
  const seen: Seen = { count: new Map(), partitions: new Set(), partitionOfKey: new Map(), outOfOrder: 0 };
  const lastSeqByKey = new Map<string, number>();
  let failed = false;
  await consumer.subscribe([topic], true);
  await consumer.run({
    eachBatch: async ({ partition, messages: batch }) => {
      if (!failed && partition === failFirstBatchOf) {
        failed = true;
        throw new Error('first batch of this partition fails once');
      }
      seen.partitions.add(partition);
      for (const m of batch) {
        const body = JSON.parse(String(m.value)) as { seq: number };
        seen.count.set(body.seq, (seen.count.get(body.seq) ?? 0) + 1);
        const key = m.key ?? '';
        if ((lastSeqByKey.get(key) ?? -1) > body.seq) seen.outOfOrder += 1;
        lastSeqByKey.set(key, body.seq);
        seen.partitionOfKey.set(key, partition);
        assert.equal(m.headers['origin'], 'it');
      }
    },
  });
  await waitFor(async () => (seen.count.size === total ? true : undefined), 120_000, `${total} distinct messages on ${topic}`);
  return seen;
}

for (const [name, client] of Object.entries(clients)) {
  test(`${name}: 10,000 messages over 6 partitions arrive exactly once, in order per key, and the group's lag reaches 0`, { timeout: 180_000 }, async () => {
    const topic = `it-kc-${name}-${uniqueSuffix()}`;
    const groupId = `it-kc-group-${uniqueSuffix()}`;
    const admin = await client.createAdmin(kafka);
    assert.ok((await admin.health()).brokers >= 1);
    await admin.createTopics([{ topic, partitions: 6 }]);
    const producer = await client.createProducer(kafka);
    const consumer = await client.createConsumer(kafka, groupId);
    try {
      const all = messages();
      for (let i = 0; i < total; i += 1_000) await producer.send(topic, all.slice(i, i + 1_000));
      const seen = await consumeAll(consumer, topic);
      assert.equal(seen.count.size, total);
      assert.equal([...seen.count.values()].filter((n) => n !== 1).length, 0, 'no message was delivered twice');
      assert.equal(seen.partitions.size, 6, 'messages spread over all 6 partitions');
      assert.equal(seen.outOfOrder, 0, 'per-key order kept');
      await waitFor(async () => ((await admin.lag(groupId, topic)) === 0 ? true : undefined), 30_000, 'committed offsets at the end of every partition');
    } finally {
      await consumer.close();
      await producer.close();
      await admin.deleteTopics([topic]);
      await admin.close();
    }
  });
}

test('both clients put a key on the same partition, and read each other’s messages', { timeout: 180_000 }, async () => {
  const [topicA, topicB] = [`it-kc-a-${uniqueSuffix()}`, `it-kc-b-${uniqueSuffix()}`];
  const admin = await kafkajs.createAdmin(kafka);
  await admin.createTopics([
    { topic: topicA, partitions: 6 },
    { topic: topicB, partitions: 6 },
  ]);
  const [producerA, producerB] = [await kafkajs.createProducer(kafka), await platformatic.createProducer(kafka)];
  // Cross over: kafkajs' messages are read by the platformatic consumer and vice versa.
  const [consumerA, consumerB] = [await platformatic.createConsumer(kafka, `it-kc-${uniqueSuffix()}`), await kafkajs.createConsumer(kafka, `it-kc-${uniqueSuffix()}`)];
  try {
    const all = messages();
    for (let i = 0; i < total; i += 2_000) {
      await producerA.send(topicA, all.slice(i, i + 2_000));
      await producerB.send(topicB, all.slice(i, i + 2_000));
    }
    const [seenA, seenB] = await Promise.all([consumeAll(consumerA, topicA), consumeAll(consumerB, topicB)]);
    assert.equal(seenA.partitionOfKey.size, keys);
    assert.deepEqual([...seenB.partitionOfKey.entries()].sort(), [...seenA.partitionOfKey.entries()].sort(), 'every key on the same partition with either producer');
    assert.equal([...seenA.count.values(), ...seenB.count.values()].filter((n) => n !== 1).length, 0);
  } finally {
    await Promise.all([consumerA.close(), consumerB.close(), producerA.close(), producerB.close()]);
    await admin.deleteTopics([topicA, topicB]);
    await admin.close();
  }
});

test('kafkajs: a consumer the client stops for good (a non-retriable error) is started again in-process and reads everything, nothing skipped or doubled', { timeout: 180_000 }, async () => {
  // The same CRASH without restart that kafkajs raises when a restarted broker has no group
  // coordinator yet ("Failed to find group coordinator"), caused here on purpose: the handler's
  // first batch throws an error marked non-retriable, so kafkajs stops and disconnects the consumer.
  const topic = `it-kc-stop-${uniqueSuffix()}`;
  const admin = await kafkajs.createAdmin(kafka);
  await admin.createTopics([{ topic, partitions: 3 }]);
  const producer = await kafkajs.createProducer(kafka);
  const consumer = await kafkajs.createConsumer(kafka, `it-kc-${uniqueSuffix()}`);
  const restarts: number[] = [];
  const crashes: unknown[] = [];
  const count = new Map<number, number>();
  let thrown = false;
  try {
    const all = messages().slice(0, 3_000);
    await producer.send(topic, all);
    await consumer.subscribe([topic], true);
    await consumer.run({
      eachBatch: async ({ messages: batch }) => {
        if (!thrown) {
          thrown = true;
          throw Object.assign(new Error('simulated error the client does not retry'), { retriable: false });
        }
        for (const m of batch) {
          const { seq } = JSON.parse(String(m.value)) as { seq: number };
          count.set(seq, (count.get(seq) ?? 0) + 1);
        }
      },
      onRestart: (_err, attempt) => restarts.push(attempt),
      onCrash: (err) => crashes.push(err),
    });
    await waitFor(async () => (count.size === all.length ? true : undefined), 60_000, `${all.length} distinct messages after the restart`).catch((err: unknown) => {
      throw new Error(`${String(err)}; read ${count.size}, restarts ${restarts.length}, crashes ${crashes.map(String).join(' | ') || 'none'}`);
    });
    assert.deepEqual(crashes, []);
    assert.deepEqual(restarts, [1], 'started again once');
    assert.equal([...count.values()].filter((n) => n !== 1).length, 0, 'no message counted twice');
  } finally {
    await consumer.close();
    await producer.close();
    await admin.deleteTopics([topic]);
    await admin.close();
  }
});

test('platformatic: a batch whose handler throws is delivered again from its first offset, nothing skipped or doubled', { timeout: 180_000 }, async () => {
  const topic = `it-kc-fail-${uniqueSuffix()}`;
  const admin = await platformatic.createAdmin(kafka);
  await admin.createTopics([{ topic, partitions: 6 }]);
  const producer = await platformatic.createProducer(kafka);
  const consumer = await platformatic.createConsumer(kafka, `it-kc-${uniqueSuffix()}`);
  try {
    const all = messages();
    for (let i = 0; i < total; i += 1_000) await producer.send(topic, all.slice(i, i + 1_000));
    const seen = await consumeAll(consumer, topic, 0);
    assert.ok(seen.partitions.has(0), 'the failing partition was delivered again');
    assert.equal([...seen.count.values()].filter((n) => n !== 1).length, 0, 'no message counted twice after the retry');
    assert.equal(seen.outOfOrder, 0);
  } finally {
    await consumer.close();
    await producer.close();
    await admin.deleteTopics([topic]);
    await admin.close();
  }
});

for (const [name, client] of Object.entries(clients)) {
  test(`${name}: a second member joins and the first leaves mid-stream; every message is processed, the partitions were shared, lag reaches 0`, { timeout: 240_000 }, async (t) => {
    const topic = `it-kc-rebalance-${name}-${uniqueSuffix()}`;
    const groupId = `it-kc-group-${uniqueSuffix()}`;
    const admin = await client.createAdmin(kafka);
    await admin.createTopics([{ topic, partitions: 6 }]);
    const producer = await client.createProducer(kafka);
    const count = new Map<number, number>();
    const byMember = { a: new Set<number>(), b: new Set<number>() };
    const member = (who: 'a' | 'b') => async ({ partition, messages: batch }: { partition: number; messages: ReadonlyArray<{ value: Buffer | null }> }): Promise<void> => {
      // Slow enough that the stream is still flowing when the group changes.
      await new Promise((r) => setTimeout(r, 25));
      byMember[who].add(partition);
      for (const m of batch) {
        const seq = (JSON.parse(String(m.value)) as { seq: number }).seq;
        count.set(seq, (count.get(seq) ?? 0) + 1);
      }
    };
    const a = await client.createConsumer(kafka, groupId, { maxBytesPerPartition: 16_384 });
    const b = await client.createConsumer(kafka, groupId, { maxBytesPerPartition: 16_384 });
    let aClosed = false;
    try {
      const all = messages();
      // Part of the stream first. Alone, a can drain some partitions completely before it notices the
      // rebalance (at its next heartbeat); if b is then given only those, b has nothing to receive.
      // The rest is produced once b owns partitions, so b's partitions hold messages nobody has read.
      const beforeJoin = 7_000;
      for (let i = 0; i < beforeJoin; i += 1_000) await producer.send(topic, all.slice(i, i + 1_000));
      await a.subscribe([topic], true);
      await a.run({ eachBatch: member('a') });
      await waitFor(async () => (count.size >= 1_000 ? true : undefined), 60_000, 'member a started');
      let bAssigned = false;
      await b.subscribe([topic], true);
      await b.run({
        eachBatch: member('b'),
        onAssign: (assignment) => {
          if (assignment.some((x) => x.partitions.length > 0)) bAssigned = true;
        },
      });
      await waitFor(async () => (bAssigned ? true : undefined), 60_000, 'member b was assigned partitions');
      for (let i = beforeJoin; i < total; i += 1_000) await producer.send(topic, all.slice(i, i + 1_000));
      await waitFor(async () => (byMember.b.size > 0 ? true : undefined), 60_000, 'member b received a partition');
      await a.close();
      aClosed = true;
      await waitFor(async () => (count.size === total ? true : undefined), 120_000, `${total} distinct messages`);
      assert.equal(count.size, total, 'no message lost across the rebalances');
      assert.ok(byMember.a.size > 0 && byMember.b.size > 0, 'both members processed partitions');
      await waitFor(async () => ((await admin.lag(groupId, topic)) === 0 ? true : undefined), 60_000, 'group lag 0 after the handover');
      const redelivered = [...count.values()].filter((n) => n > 1).length;
      t.diagnostic(`member a partitions ${[...byMember.a].sort().join(',')}; member b ${[...byMember.b].sort().join(',')}; delivered twice: ${redelivered}`);
      // At-least-once: a batch in flight during a rebalance may be delivered again, never more than that.
      assert.ok(redelivered < total / 2, `${redelivered} messages delivered more than once`);
    } finally {
      if (!aClosed) await a.close();
      await b.close();
      await producer.close();
      await admin.deleteTopics([topic]);
      await admin.close();
    }
  });
}

for (const [name, client] of Object.entries(clients)) {
  test(`${name}: deferred settlement: a rejected batch is read again, every message settles and the lag reaches 0`, { timeout: 180_000 }, async () => {
    const topic = `it-kc-deferred-${name}-${uniqueSuffix()}`;
    const groupId = `it-kc-group-${uniqueSuffix()}`;
    const admin = await client.createAdmin(kafka);
    await admin.createTopics([{ topic, partitions: 6 }]);
    const producer = await client.createProducer(kafka);
    const consumer = await client.createConsumer(kafka, groupId, { maxBytesPerPartition: 16_384 });
    assert.equal(consumer.honoursDeferredSettlement, true);
    try {
      const all = messages();
      for (let i = 0; i < total; i += 1_000) await producer.send(topic, all.slice(i, i + 1_000));
      const settledSeqs = new Map<number, number>();
      let rejected = 0;
      await consumer.subscribe([topic], true);
      await consumer.run({
        eachBatch: async ({ partition, messages: batch }) => {
          const seqs = batch.map((m) => (JSON.parse(String(m.value)) as { seq: number }).seq);
          // The first batch of partition 1 fails once, after later batches were already handed off.
          const fail = partition === 1 && rejected === 0;
          if (fail) rejected += 1;
          const settled = new Promise<void>((resolve, reject) =>
            setTimeout(() => {
              if (fail) return reject(new Error('bulk write failed'));
              for (const s of seqs) settledSeqs.set(s, (settledSeqs.get(s) ?? 0) + 1);
              resolve();
            }, 50),
          );
          settled.catch(() => undefined);
          return { settled };
        },
      });
      await waitFor(async () => (settledSeqs.size === total ? true : undefined), 120_000, `${total} distinct messages settled`);
      await waitFor(async () => ((await admin.lag(groupId, topic)) === 0 ? true : undefined), 60_000, 'group lag 0 once every batch settled');
      assert.equal(rejected, 1);
      assert.equal(settledSeqs.size, total, 'every message settled at least once after the rejection');
    } finally {
      await consumer.close();
      await producer.close();
      await admin.deleteTopics([topic]);
      await admin.close();
    }
  });
}

for (const [name, client] of Object.entries(clients)) {
  test(`${name}: a batch that outlives the session timeout neither stops the consumer nor loses the batch (kafkajs rejoins and reads it again)`, { timeout: 120_000 }, async () => {
    const topic = `it-kafka-evicted-${name}-${uniqueSuffix()}`;
    const admin = await client.createAdmin(kafka);
    await admin.createTopics([{ topic, partitions: 1 }]);
    const producer = await client.createProducer(kafka);
    const groupId = `it-group-${uniqueSuffix()}`;
    // 6 s is the broker's default group.min.session.timeout.ms.
    const consumer = await client.createConsumer(kafka, groupId, { sessionTimeoutMs: 6_000 });
    try {
      await producer.send(topic, [{ key: 'k', value: 'first' }]);
      const deliveries: string[] = [];
      const crashes: unknown[] = [];
      await consumer.subscribe([topic], true);
      await consumer.run({
        eachBatch: async ({ messages }) => {
          for (const m of messages) deliveries.push(String(m.value));
          // The first delivery outlives the session without a heartbeat: the coordinator drops the
          // member, and the commit that follows is refused (UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION).
          if (deliveries.length === 1) await new Promise((resolve) => setTimeout(resolve, 10_000));
        },
        onCrash: (err) => crashes.push(err),
      });
      // kafkajs heartbeats only between batches, so its member is dropped and must rejoin and read
      // the batch again; platformatic heartbeats on a timer, keeps its membership and commits.
      const evicted = name === 'kafkajs';
      await waitFor(
        async () => (crashes.length > 0 || (evicted ? deliveries.length >= 2 : (await admin.lag(groupId, topic)) === 0) ? true : undefined),
        60_000,
        evicted ? 'the batch read again or a crash' : 'the batch committed or a crash',
      );
      assert.deepEqual(crashes, [], 'the consumer did not stop');
      if (evicted) assert.deepEqual(deliveries.slice(0, 2), ['first', 'first'], 'the uncommitted batch was read again after the rejoin');
      else assert.deepEqual(deliveries, ['first']);
      // Still a working member: a new message arrives and the offsets are committed to the end.
      await producer.send(topic, [{ key: 'k', value: 'second' }]);
      await waitFor(async () => (deliveries.includes('second') ? true : undefined), 30_000, 'a message sent after the rejoin');
      const lag = await waitFor(async () => {
        const value = await admin.lag(groupId, topic);
        return value === 0 ? value : undefined;
      }, 30_000, 'committed offsets to reach the high watermark');
      assert.equal(lag, 0);
      assert.deepEqual(crashes, []);
    } finally {
      await consumer.close();
      await producer.close();
      await admin.deleteTopics([topic]);
      await admin.close();
    }
  });
}

for (const [name, client] of Object.entries(clients)) {
  test(`${name}: one send of 3 MB for a single key (one partition, past the broker's 1 MB batch limit) arrives whole and in order`, { timeout: 120_000 }, async () => {
    const topic = `it-kc-big-${name}-${uniqueSuffix()}`;
    const admin = await client.createAdmin(kafka);
    await admin.createTopics([{ topic, partitions: 3 }]);
    const producer = await client.createProducer(kafka);
    const consumer = await client.createConsumer(kafka, `it-kc-big-group-${uniqueSuffix()}`);
    try {
      const count = 2_400;
      const pad = 'x'.repeat(1_200);
      const sent: OutgoingMessage[] = Array.from({ length: count }, (_, seq) => ({ key: 'project:one-principal', value: JSON.stringify({ seq, pad }) }));
      await producer.send(topic, sent);
      const seqs: number[] = [];
      await consumer.subscribe([topic], true);
      await consumer.run({
        eachBatch: async ({ messages: batch }) => {
          for (const m of batch) seqs.push((JSON.parse(String(m.value)) as { seq: number }).seq);
        },
      });
      await waitFor(async () => (seqs.length >= count ? true : undefined), 60_000, `${count} messages on ${topic}`);
      assert.deepEqual(seqs, Array.from({ length: count }, (_, i) => i), 'every message once, in the order sent');
    } finally {
      await consumer.close();
      await producer.close();
      await admin.deleteTopics([topic]);
      await admin.close();
    }
  });
}
