import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdmin, createConsumer, createProducer, type OutgoingMessage } from '@atlas-audit/shared/kafka';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';

const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'it-kafka', ssl: false };

test('10,000 messages over 6 partitions arrive exactly once, in order per key, and the committed offsets reach the end', { timeout: 180_000 }, async () => {
  const topic = `it-kafka-${uniqueSuffix()}`;
  const admin = await createAdmin(kafka);
  assert.ok((await admin.health()).brokers >= 1);
  await admin.createTopics([{ topic, partitions: 6 }]);
  const producer = await createProducer(kafka);
  const groupId = `it-group-${uniqueSuffix()}`;
  const consumer = await createConsumer(kafka, groupId);
  try {
    const total = 10_000;
    const keys = 50;
    const batch: OutgoingMessage[] = [];
    for (let i = 0; i < total; i += 1) {
      batch.push({ key: `project:user-${i % keys}`, value: JSON.stringify({ seq: i, key: i % keys }), headers: { origin: 'it' } });
    }
    for (let i = 0; i < total; i += 1_000) await producer.send(topic, batch.slice(i, i + 1_000));

    const seen = new Map<number, number>();
    const partitionsSeen = new Set<number>();
    const lastSeqByKey = new Map<string, number>();
    let outOfOrder = 0;
    await consumer.subscribe([topic], true);
    await consumer.run({
      eachBatch: async ({ partition, messages }) => {
        partitionsSeen.add(partition);
        for (const m of messages) {
          const body = JSON.parse(String(m.value)) as { seq: number };
          seen.set(body.seq, (seen.get(body.seq) ?? 0) + 1);
          const key = m.key ?? '';
          if ((lastSeqByKey.get(key) ?? -1) > body.seq) outOfOrder += 1;
          lastSeqByKey.set(key, body.seq);
          assert.equal(m.headers['origin'], 'it');
        }
      },
    });
    await waitFor(async () => (seen.size === total ? true : undefined), 120_000, `${total} distinct messages`);
    assert.equal(seen.size, total);
    assert.equal([...seen.values()].filter((n) => n !== 1).length, 0, 'no message was delivered twice');
    assert.equal(partitionsSeen.size, 6, 'messages spread over all 6 partitions');
    assert.equal(outOfOrder, 0, 'per-key order kept');
    // Offsets are committed after each batch: the group's lag reaches 0.
    const lag = await waitFor(async () => {
      const value = await admin.lag(groupId, topic);
      return value === 0 ? value : undefined;
    }, 30_000, 'committed offsets to reach the high watermark');
    assert.equal(lag, 0);
  } finally {
    await consumer.close();
    await producer.close();
    await admin.deleteTopics([topic]);
    await admin.close();
  }
});

test('a consumer the client stops for good on every start is reported through onCrash once its in-process restarts are spent; a handler error it can retry is read again instead', { timeout: 120_000 }, async () => {
  const topic = `it-kafka-crash-${uniqueSuffix()}`;
  const admin = await createAdmin(kafka);
  await admin.createTopics([{ topic, partitions: 1 }]);
  const producer = await createProducer(kafka);
  const retried = await createConsumer(kafka, `it-group-${uniqueSuffix()}`);
  // Two in-process restarts 100 ms and 200 ms apart (the services' default is 8, from 1 s).
  const fatal = await createConsumer(kafka, `it-group-${uniqueSuffix()}`, { restarts: { maxInARow: 2, baseDelayMs: 100 } });
  try {
    await producer.send(topic, [{ key: 'k', value: 'v' }]);
    // A plain error: kafkajs retries and restarts the consumer, the batch comes again.
    let attempts = 0;
    const crashes: unknown[] = [];
    await retried.subscribe([topic], true);
    await retried.run({
      eachBatch: async () => {
        attempts += 1;
        if (attempts < 3) throw new Error('transient');
      },
      onCrash: (err) => crashes.push(err),
    });
    await waitFor(async () => (attempts >= 3 ? true : undefined), 60_000, 'the batch read again after transient handler errors');
    assert.deepEqual(crashes, []);
    // An error kafkajs will not retry stops the consumer for good. Started again, it stops
    // again on the same batch; once the restarts are spent it must not stay silent.
    const restarts: number[] = [];
    let fatalBatches = 0;
    const fatalCrash = new Promise<unknown>((resolve) => {
      void fatal.subscribe([topic], true).then(() =>
        fatal.run({
          eachBatch: async () => {
            fatalBatches += 1;
            throw Object.assign(new Error('not retriable'), { retriable: false });
          },
          onRestart: (_err, attempt) => restarts.push(attempt),
          onCrash: resolve,
        }),
      );
    });
    const err = await Promise.race([fatalCrash, new Promise((r) => setTimeout(() => r('no crash reported'), 30_000))]);
    assert.ok(err instanceof Error, String(err));
    assert.equal(err.message, 'kafka consumer stopped');
    assert.match(String(err.cause), /not retriable/);
    assert.deepEqual(restarts, [1, 2], 'started again twice before the crash');
    assert.equal(fatalBatches, 3, 'the batch was read by each start');
  } finally {
    await retried.close();
    await fatal.close();
    await producer.close();
    await admin.deleteTopics([topic]);
    await admin.close();
  }
});
