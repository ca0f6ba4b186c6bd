import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, CompressionTypes, type Producer } from 'kafkajs';
import { AppError } from '@atlas-audit/shared/errors';
import type { KafkaConfig } from '@atlas-audit/shared/kafka';
import { chunkMessages } from '@atlas-audit/shared/kafka-chunks';
import { withDeadline } from '@atlas-audit/shared/retry';
import type { Checkpoint } from './core/checkpoint.ts';
import type { CommitMessages, TxSink } from './ports.ts';

/**
 * The transactional side of Kafka for ingest (kafkajs): a transactional, idempotent, acks=all
 * producer whose id is fixed per replica, so a restarted worker fences its predecessor and
 * aborts whatever transaction it left open; and the compacted checkpoint log that is written
 * in the same transactions as the events and read back on start.
 */

/**
 * Uncompressed bytes per produce request. Batches are gzip-compressed (kafkajs decodes gzip
 * natively; event JSON shrinks 5–10×), which keeps every partition's batch well under the
 * broker's default 1 MB limit and halves commit time on a busy box.
 */
const MAX_CHUNK_BYTES = 1_500_000;

/**
 * The broker aborts a transaction left open this long (transaction.timeout.ms), so a producer
 * that lost it cannot hold read_committed consumers back for longer.
 */
const TRANSACTION_TIMEOUT_MS = 120_000;

/**
 * A transaction (sends and commit) that has neither committed nor failed after this long is
 * given up: the producer is replaced, and the new one's InitProducerId fences the old epoch and
 * aborts whatever it left open. kafkajs retries a lost broker 8 times, backing off up to 5 s
 * (about 20 s in all, plus the requests' own timeouts), and then fails; a call that hangs past
 * that would otherwise stall ingest silently, every stream waiting on the committer. The outcome is unknown, as after any failed commit: the loop re-reads the
 * checkpoints from the log.
 */
const TRANSACTION_DEADLINE_MS = 60_000;

function kafkaOf(config: KafkaConfig): Kafka {
  const sasl = config.sasl ? ({ mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as never) : undefined;
  return new Kafka({ clientId: config.clientId, brokers: config.brokers, ssl: config.ssl, ...(sasl ? { sasl } : {}), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 } });
}

export type TxKafka = TxSink & {
  /** Reads the checkpoint log to its end (read_committed): the latest checkpoint per key. */
  restoreCheckpoints(): Promise<Map<string, Checkpoint>>;
  /** Creates the checkpoint topic (1 partition, compacted) if it does not exist. */
  ensureCheckpointTopic(): Promise<void>;
  health(): Promise<void>;
  close(): Promise<void>;
};

/** Connects the transactional producer (initialising the transactional id fences older instances). */
export async function createTxKafka(config: KafkaConfig, topics: { events: string; dlq: string; checkpoints: string }, transactionalId: string, options: { transactionDeadlineMs?: number } = {}): Promise<TxKafka> {
  const deadlineMs = options.transactionDeadlineMs ?? TRANSACTION_DEADLINE_MS;
  const kafka = kafkaOf(config);
  const admin = kafka.admin();
  const newProducer = (): Producer => kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: TRANSACTION_TIMEOUT_MS, allowAutoTopicCreation: false });
  let producer = newProducer();
  // After a failed transaction the producer may be in an unusable state: the next commit
  // starts a fresh one with the same transactional id (which also fences the old one).
  let broken = false;
  try {
    await admin.connect();
    await producer.connect();
  } catch (err) {
    throw new AppError('kafka transactional producer could not connect', { code: 'KAFKA_UNAVAILABLE', retryable: true, cause: err });
  }

  async function usableProducer(): Promise<Producer> {
    if (!broken) return producer;
    // A producer stuck in a hung call may never finish disconnecting: not waited for past the deadline.
    await withDeadline(producer.disconnect(), deadlineMs, () => new Error('disconnect did not finish')).catch(() => undefined);
    producer = newProducer();
    try {
      await producer.connect();
    } catch (err) {
      throw new AppError('kafka transactional producer could not reconnect', { code: 'KAFKA_UNAVAILABLE', retryable: true, cause: err });
    }
    broken = false;
    return producer;
  }

  /** Runs `work` (one transaction) under the deadline; past it, the producer is marked broken. */
  function inTime(work: Promise<void>, what: string, details: Record<string, unknown>): Promise<void> {
    return withDeadline(work, deadlineMs, () => {
      broken = true;
      return new AppError(`${what} neither committed nor failed within ${deadlineMs} ms`, { code: 'TIMEOUT', retryable: true, details });
    });
  }

  function commit(messages: CommitMessages): Promise<void> {
    return inTime(commitOnce(messages), 'kafka transaction', { events: messages.events.length });
  }

  async function commitOnce(messages: CommitMessages): Promise<void> {
    const tx = await (await usableProducer()).transaction().catch((err: unknown) => {
      broken = true;
      throw new AppError('kafka transaction could not begin', { code: 'KAFKA_PRODUCE_FAILED', retryable: true, cause: err });
    });
    try {
      for (const [topic, list] of [[topics.events, messages.events], [topics.dlq, messages.dlq], [topics.checkpoints, messages.checkpoints]] as const) {
        for (const chunk of chunkMessages(list, MAX_CHUNK_BYTES)) await tx.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: chunk.map((m) => ({ key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) })) });
      }
      await tx.commit();
    } catch (err) {
      await tx.abort().catch(() => undefined);
      broken = true;
      throw new AppError('kafka transaction failed', { code: 'KAFKA_PRODUCE_FAILED', retryable: true, cause: err, details: { events: messages.events.length } });
    }
  }

  return {
    commit,
    async ensureCheckpointTopic() {
      const existing = await admin.listTopics();
      if (existing.includes(topics.checkpoints)) return;
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: topics.checkpoints,
              numPartitions: 1,
              replicationFactor: -1,
              configEntries: [
                { name: 'cleanup.policy', value: 'compact' },
                { name: 'max.message.bytes', value: String(16 * 1024 * 1024) },
                // Only closed segments are compacted: roll often so a restart reads little.
                { name: 'segment.ms', value: String(10 * 60_000) },
                { name: 'min.cleanable.dirty.ratio', value: '0.1' },
              ],
            },
          ],
        })
        .catch((err: unknown) => {
          if (!(err instanceof Error && /already exists/i.test(err.message))) throw err;
        });
    },
    async restoreCheckpoints() {
      // A tombstone for a fresh key, committed now, marks "the end" of the log for this read.
      const fence = `fence|${transactionalId}|${randomUUID()}`;
      const writeFence = async (): Promise<void> => {
        const tx = await (await usableProducer()).transaction();
        try {
          await tx.send({ topic: topics.checkpoints, acks: -1, messages: [{ key: fence, value: null }] });
          await tx.commit();
        } catch (err) {
          await tx.abort().catch(() => undefined);
          broken = true;
          throw new AppError('kafka checkpoint fence failed', { code: 'KAFKA_PRODUCE_FAILED', retryable: true, cause: err });
        }
      };
      await inTime(writeFence(), 'kafka checkpoint fence', {});
      const groupId = `${transactionalId}-restore-${randomUUID()}`;
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxBytesPerPartition: 32 * 1024 * 1024, allowAutoTopicCreation: false });
      const found = new Map<string, Checkpoint>();
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [topics.checkpoints], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new AppError('checkpoint log not read to its end in time', { code: 'TIMEOUT', retryable: true })), 120_000);
          consumer
            .run({
              autoCommit: false,
              eachBatch: async ({ batch }) => {
                for (const m of batch.messages) {
                  const key = m.key?.toString('utf8');
                  if (key === fence) {
                    clearTimeout(timer);
                    resolve();
                    return;
                  }
                  if (key === undefined || key.startsWith('fence|') || m.value === null) continue;
                  try {
                    found.set(key, JSON.parse(m.value.toString('utf8')) as Checkpoint);
                  } catch {
                    // A record we cannot read is skipped; its key restarts from the next record or from scratch.
                  }
                }
              },
            })
            .catch(reject);
        });
      } finally {
        await consumer.disconnect().catch(() => undefined);
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }
      return found;
    },
    async health() {
      await admin.describeCluster();
    },
    async close() {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}
