import { Kafka, logLevel, CompressionTypes, type Consumer, type Producer, type Admin, type SASLOptions } from 'kafkajs';
import type { z } from 'zod';
import { AppError } from './errors.ts';
import { chunkMessages } from './kafka-chunks.ts';
import { createConsumerRestarter, type ConsumerRestarter } from './consumer-restart.ts';
import type { kafkaConfigSchema } from './config.ts';

/**
 * The project's Kafka interface. Services depend on these types only, so another client
 * (e.g. @platformatic/kafka) can be measured behind the same interface.
 */
/** The validated `kafka` config; `client` (which library, read by kafka-client.ts) may be left out by direct callers. */
export type KafkaConfig = Omit<z.output<typeof kafkaConfigSchema>, 'client'> & { client?: z.output<typeof kafkaConfigSchema>['client'] };

export type OutgoingMessage = { key: string | null; value: Buffer | string; headers?: Record<string, string> };

export type IncomingMessage = {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestampMs: number;
};

export type IncomingBatch = { topic: string; partition: number; messages: IncomingMessage[] };

export interface BusProducer {
  /**
   * Sends and resolves once every message is acknowledged by all in-sync replicas (acks=all).
   * Large sends go as several requests in order (kafka-chunks.ts); when one fails, the earlier
   * ones stay written, so a caller that retries may write those messages twice (at-least-once:
   * the sinks deduplicate by id).
   */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** Lets a long-running batch handler keep its group membership and notice shutdown. */
export type BatchControl = { heartbeat(): Promise<void>; isRunning(): boolean };

/**
 * Returned by an eachBatch handler that lets fetching continue while its batch is still being
 * written: the batch's offsets are committed once `settled` resolves, in batch order per
 * partition. If `settled` rejects, nothing from that batch on is committed and the partition is
 * re-read from the batch's first offset (at-least-once; later batches already handed off are
 * replayed too).
 */
export type DeferredSettlement = { settled: Promise<void> };

export type ConsumerRunOptions = {
  /**
   * Processes one batch; offsets up to the batch's last message are committed only after it
   * resolves, or, when it resolves with a DeferredSettlement, after that settles.
   */
  eachBatch: (batch: IncomingBatch, control: BatchControl) => Promise<void | DeferredSettlement>;
  /** How many partitions' batches may be processed at once (default 1). */
  partitionsConsumedConcurrently?: number;
  onAssign?: (assignment: ReadonlyArray<{ topic: string; partitions: number[] }>) => void;
  /**
   * Called when the consumer stopped for good: the client gave up and will not restart it, and
   * (kafkajs) the in-process restarts (onRestart) are spent too. Without it, the error is thrown as an uncaught exception, so the process exits non-zero and
   * its supervisor restarts it, rather than living on as a healthy-looking member that reads
   * nothing. Uncommitted batches are read again by the next owner.
   */
  onCrash?: (err: unknown) => void;
  /**
   * Called when the client gave up on an error and the consumer is started again in-process
   * (a broker restart can outlast the client's own retries: no coordinator for a while). After
   * `CONSUMER_RESTARTS` restarts in a row with no batch handled in between, the consumer counts
   * as crashed (onCrash).
   */
  onRestart?: (err: unknown, attempt: number, delayMs: number) => void;
};

export interface BusConsumer {
  /**
   * True when run() honours a DeferredSettlement returned by eachBatch (commits when it
   * settles). A consumer without it commits when eachBatch resolves, so handlers must not defer.
   */
  readonly honoursDeferredSettlement?: boolean;
  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void>;
  run(options: ConsumerRunOptions): Promise<void>;
  pause(topic: string, partitions?: number[]): void;
  resume(topic: string, partitions?: number[]): void;
  close(): Promise<void>;
}

export interface BusAdmin {
  createTopics(topics: ReadonlyArray<{ topic: string; partitions: number }>): Promise<void>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Resolves with the broker count; throws a retryable AppError when the cluster cannot be reached. */
  health(): Promise<{ brokers: number }>;
  /** Sum over partitions of (high watermark − committed offset) for a group. */
  lag(groupId: string, topic: string): Promise<number>;
  close(): Promise<void>;
}

function saslOf(config: KafkaConfig): SASLOptions | undefined {
  if (!config.sasl) return undefined;
  const { mechanism, username, password } = config.sasl;
  return { mechanism, username, password } as SASLOptions;
}

function clientOf(config: KafkaConfig): Kafka {
  const sasl = saslOf(config);
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
  });
}

function headersOf(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    out[key] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}

/**
 * How often a consumer the client gave up on is started again before it counts as crashed, and
 * the backoff between: 1, 2, 4, 8, 16, then 30 s (about 2 min in all with no batch handled).
 */
const CONSUMER_RESTARTS = 8;
const consumerRestartDelayMs = (baseMs: number) => (attempt: number): number => Math.min(30_000, baseMs * 2 ** (attempt - 1));

/**
 * Group-membership errors kafkajs marks non-retriable but its runner answers by rejoining the
 * group, when they reach it bare (NOT_COORDINATOR_FOR_GROUP is retriable and never wrapped).
 */
const MEMBERSHIP_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS']);

/**
 * The broker's group-membership error under a failed commit, or undefined. kafkajs wraps a commit's
 * UNKNOWN_MEMBER_ID (e.g. a session that expired during a long batch) in a non-retriable error that
 * hides its type, so the runner stops the consumer for good; rethrown bare, the runner rejoins the
 * group and reads the uncommitted batch again from the last commit (at-least-once).
 */
function membershipLoss(err: unknown): Error | undefined {
  // kafkajs keeps the wrapped error as `cause`; the bound only guards against a cyclic chain.
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth += 1) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && MEMBERSHIP_ERRORS.has(type)) return e;
  }
  return undefined;
}

/** Creates an idempotent, acks=all producer (kafkajs). */
export async function createProducer(config: KafkaConfig): Promise<BusProducer> {
  const producer: Producer = clientOf(config).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  try {
    await producer.connect();
  } catch (err) {
    throw new AppError('kafka producer could not connect', { code: 'KAFKA_UNAVAILABLE', retryable: true, cause: err });
  }
  return {
    async send(topic, messages) {
      if (messages.length === 0) return;
      try {
        // One request per run of at most MAX_PRODUCE_BYTES, in order (kafka-chunks.ts).
        for (const chunk of chunkMessages(messages)) {
          await producer.send({
            topic,
            acks: -1,
            compression: CompressionTypes.None,
            messages: chunk.map((m) => ({ key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) })),
          });
        }
      } catch (err) {
        throw new AppError('kafka produce failed', { code: 'KAFKA_PRODUCE_FAILED', retryable: true, cause: err, details: { topic, count: messages.length } });
      }
    },
    close: () => producer.disconnect(),
  };
}

/** Creates a consumer-group member that commits offsets only after each batch is processed (kafkajs). */
export async function createConsumer(
  config: KafkaConfig,
  groupId: string,
  options: { sessionTimeoutMs?: number; maxBytesPerPartition?: number; /** In-process restarts (defaults: 8 in a row, from 1 s). */ restarts?: { maxInARow?: number; baseDelayMs?: number } } = {},
): Promise<BusConsumer> {
  const consumer: Consumer = clientOf(config).consumer({
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: 1_000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
    allowAutoTopicCreation: false,
  });
  try {
    await consumer.connect();
  } catch (err) {
    throw new AppError('kafka consumer could not connect', { code: 'KAFKA_UNAVAILABLE', retryable: true, cause: err });
  }
  // Deferred settlements: per partition, a chain of pending commits and a generation that a
  // failed settlement bumps (so later batches of the abandoned generation never commit).
  const chains = new Map<string, { tail: Promise<void>; generation: number }>();
  let subscribedTopics: string[] = [];
  let closing = false;
  const restarters = new Set<ConsumerRestarter>();
  return {
    honoursDeferredSettlement: true,
    async subscribe(topics, fromBeginning) {
      subscribedTopics = [...topics];
      await consumer.subscribe({ topics: [...topics], fromBeginning });
    },
    async run({ eachBatch, onAssign, onCrash, onRestart, partitionsConsumedConcurrently }) {
      const crash = (cause: unknown): void => {
        const err = new AppError('kafka consumer stopped', { code: 'KAFKA_UNAVAILABLE', retryable: true, cause, details: { groupId } });
        if (onCrash) onCrash(err);
        else
          setImmediate(() => {
            throw err;
          });
      };
      const restarter = createConsumerRestarter({
        maxInARow: options.restarts?.maxInARow ?? CONSUMER_RESTARTS,
        delayMs: consumerRestartDelayMs(options.restarts?.baseDelayMs ?? 1_000),
        // A failed join is reported by kafkajs as another CRASH; a failed connect rejects here.
        start: async () => {
          await consumer.connect();
          await consumer.run(runOptions);
        },
        crash,
        onRestart,
      });
      restarters.add(restarter);
      consumer.on(consumer.events.CRASH, (event) => {
        // kafkajs restarts the consumer itself after retriable errors (restart: true). Otherwise
        // it has stopped and disconnected it for good (consumer-restart.ts).
        if (!event.payload.restart && !closing) restarter.stopped(event.payload.error);
      });
      if (onAssign) {
        consumer.on(consumer.events.GROUP_JOIN, (event) => {
          const assignment = Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
          onAssign(assignment);
        });
      }
      const runOptions: Parameters<Consumer['run']>[0] = {
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          if (!isRunning() || isStale() || batch.messages.length === 0) return;
          const messages: IncomingMessage[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key === null ? null : m.key.toString('utf8'),
            value: m.value,
            headers: headersOf(m.headers as Record<string, unknown> | undefined),
            timestampMs: Number(m.timestamp),
          }));
          const outcome = await eachBatch({ topic: batch.topic, partition: batch.partition, messages }, { heartbeat, isRunning });
          restarter.progressed();
          const last = batch.messages[batch.messages.length - 1];
          const firstOffset = batch.messages[0]?.offset;
          if (last === undefined || firstOffset === undefined) return;
          resolveOffset(last.offset);
          if (outcome !== undefined) {
            const key = `${batch.topic}\u0000${batch.partition}`;
            const chain = chains.get(key) ?? { tail: Promise.resolve(), generation: 0 };
            const generation = chain.generation;
            const { topic, partition } = batch;
            const offset = (BigInt(last.offset) + 1n).toString();
            chain.tail = chain.tail.then(async () => {
              try {
                await outcome.settled;
              } catch {
                if (chain.generation === generation) {
                  chain.generation += 1;
                  try {
                    consumer.seek({ topic, partition, offset: firstOffset });
                  } catch {
                    // Not running any more (shutdown, rebalance): the next owner starts from the last commit.
                  }
                }
                return;
              }
              if (chain.generation !== generation) return;
              // A failed commit (rebalance) means the batch is read again: duplicates, never loss.
              await consumer.commitOffsets([{ topic, partition, offset }]).catch(() => undefined);
            });
            chains.set(key, chain);
            await heartbeat();
            return;
          }
          try {
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
          } catch (err) {
            throw membershipLoss(err) ?? err;
          }
          await heartbeat();
        },
      };
      await consumer.run(runOptions);
    },
    pause: (topic, partitions) => consumer.pause([partitions ? { topic, partitions } : { topic }]),
    resume: (topic, partitions) => consumer.resume([partitions ? { topic, partitions } : { topic }]),
    async close() {
      closing = true;
      for (const restarter of restarters) restarter.cancel();
      // Let deferred settlements commit while still a group member, then leave.
      if (chains.size > 0) {
        for (const topic of subscribedTopics) consumer.pause([{ topic }]);
        let tails: Promise<void>[] = [];
        do {
          tails = [...chains.values()].map((c) => c.tail);
          await Promise.all(tails);
        } while ([...chains.values()].some((c, i) => c.tail !== tails[i]));
      }
      await consumer.disconnect();
    },
  };
}

/** Creates an admin client for topics, health and lag. */
export async function createAdmin(config: KafkaConfig): Promise<BusAdmin> {
  const admin: Admin = clientOf(config).admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new AppError('kafka admin could not connect', { code: 'KAFKA_UNAVAILABLE', retryable: true, cause: err });
  }
  return {
    async createTopics(topics) {
      await admin.createTopics({ waitForLeaders: true, topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })) });
    },
    async deleteTopics(topics) {
      await admin.deleteTopics({ topics: [...topics] });
    },
    async health() {
      try {
        const cluster = await admin.describeCluster();
        return { brokers: cluster.brokers.length };
      } catch (err) {
        throw new AppError('kafka cluster unreachable', { code: 'KAFKA_UNAVAILABLE', retryable: true, cause: err });
      }
    },
    async lag(groupId, topic) {
      const [high, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
      const committedBy = new Map<number, bigint>();
      for (const t of committed) for (const p of t.partitions) committedBy.set(p.partition, BigInt(p.offset));
      let lag = 0n;
      for (const p of high) {
        const c = committedBy.get(p.partition) ?? -1n;
        const h = BigInt(p.high);
        lag += c < 0n ? h - BigInt(p.low) : h - c;
      }
      return Number(lag);
    },
    close: () => admin.disconnect(),
  };
}
