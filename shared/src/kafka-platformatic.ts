import {
  Admin,
  Consumer,
  Producer,
  compatibilityPartitioner,
  stringSerializer,
  type Message,
  type MessagesStream,
  type SASLOptions,
} from '@platformatic/kafka';
import { AppError } from './errors.ts';
import { chunkMessages } from './kafka-chunks.ts';
import type { BusAdmin, BusConsumer, BusProducer, ConsumerRunOptions, IncomingMessage, KafkaConfig } from './kafka.ts';

/**
 * The project's Kafka interface (kafka.ts) on @platformatic/kafka, with the same semantics:
 * idempotent acks=all producer, Java/kafkajs-compatible key partitioning, and a consumer group
 * member that commits a partition's offset only after `eachBatch` for it resolves.
 */

type Raw = Message<Buffer, Buffer, Buffer, Buffer>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function baseOf(config: KafkaConfig): { clientId: string; bootstrapBrokers: string[]; retries: number; retryDelay: number; tls?: object; sasl?: SASLOptions } {
  const sasl: SASLOptions | undefined = config.sasl
    ? { mechanism: config.sasl.mechanism.toUpperCase() as SASLOptions['mechanism'], username: config.sasl.username, password: config.sasl.password }
    : undefined;
  return { clientId: config.clientId, bootstrapBrokers: [...config.brokers], retries: 8, retryDelay: 250, ...(config.ssl ? { tls: {} } : {}), ...(sasl ? { sasl } : {}) };
}

function unavailable(what: string, err: unknown): AppError {
  return new AppError(`kafka ${what} could not connect`, { code: 'KAFKA_UNAVAILABLE', retryable: true, cause: err });
}

/** Creates an idempotent, acks=all producer (@platformatic/kafka); throws a retryable AppError when the cluster cannot be reached. */
export async function createProducer(config: KafkaConfig): Promise<BusProducer> {
  const producer = new Producer<Buffer, Buffer, string, string>({
    ...baseOf(config),
    idempotent: true,
    acks: -1,
    compression: 'none',
    autocreateTopics: false,
    partitioner: compatibilityPartitioner,
    serializers: { headerKey: stringSerializer, headerValue: stringSerializer },
  });
  try {
    await producer.metadata({ topics: [] });
  } catch (err) {
    await producer.close().catch(() => undefined);
    throw unavailable('producer', err);
  }
  return {
    async send(topic, messages) {
      if (messages.length === 0) return;
      try {
        // One request per run of at most MAX_PRODUCE_BYTES, in order (kafka-chunks.ts).
        for (const chunk of chunkMessages(messages)) {
          await producer.send({
            messages: chunk.map((m) => ({
              topic,
              ...(m.key === null ? {} : { key: Buffer.from(m.key, 'utf8') }),
              value: typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value,
              ...(m.headers ? { headers: m.headers } : {}),
            })),
          });
        }
      } catch (err) {
        throw new AppError('kafka produce failed', { code: 'KAFKA_PRODUCE_FAILED', retryable: true, cause: err, details: { topic, count: messages.length } });
      }
    },
    close: () => producer.close(),
  };
}

function headersOf(raw: Map<Buffer, Buffer>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of raw) out[key.toString('utf8')] = value.toString('utf8');
  return out;
}

function generationOf(m: Raw): number | undefined {
  const consumer = m.metadata['consumer'] as { generationId?: number } | undefined;
  return consumer?.generationId;
}

const keyOf = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * Creates a consumer-group member (@platformatic/kafka) that commits offsets only after each
 * batch is processed. A batch is what one partition has buffered when the handler is free.
 * A failed batch is fetched again from its first offset after a short delay; messages of a
 * revoked generation are dropped (the new owner reads them from the committed offset).
 * Paused partitions are read ahead and discarded, then re-read from the first discarded offset.
 */
export async function createConsumer(config: KafkaConfig, groupId: string, options: { sessionTimeoutMs?: number; maxBytesPerPartition?: number } = {}): Promise<BusConsumer> {
  const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
  const maxBytesPerPartition = options.maxBytesPerPartition ?? 1_048_576;
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
    ...baseOf(config),
    groupId,
    sessionTimeout,
    heartbeatInterval: 1_000,
    autocommit: false,
    maxBytesPerPartition,
    maxWaitTime: 500,
    autocreateTopics: false,
  });
  try {
    await consumer.metadata({ topics: [] });
  } catch (err) {
    await consumer.close().catch(() => undefined);
    throw unavailable('consumer', err);
  }

  let topics: string[] = [];
  let fromBeginning = false;
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;
  const paused = new Set<string>();
  /** Next offset the handler must see per partition, when the stream position had to be rewound. */
  const expected = new Map<string, bigint>();
  /**
   * Offset after the last batch the handler completed, per partition. A rejoin re-reads from the
   * committed offset, which can lag behind it when the commit was held back by the rebalance;
   * what this member already processed is not handed to it again.
   */
  const processed = new Map<string, bigint>();

  const rewind = (key: string, offset: bigint): void => {
    expected.set(key, offset);
    stream?.offsetsToFetch.set(key, offset);
  };

  /**
   * The last group join this member completed. The client adopts a new generation at the JoinGroup
   * response but the assignment only at the SyncGroup one; messages are admitted only when both
   * are this join's, so nothing fetched in between (possibly for a partition being revoked) is handed.
   */
  let joined = { generation: -1, keys: new Set<string>() };

  const onJoin = (generation: number, assignments: ReadonlyArray<{ topic: string; partitions: number[] }>): void => {
    const keys = new Set(assignments.flatMap((a) => a.partitions.map((p) => keyOf(a.topic, p))));
    // One generation later, nobody else can have owned a partition kept across the rebalance.
    const continuous = generation === joined.generation + 1;
    expected.clear();
    for (const [key, offset] of [...processed.entries()]) {
      if (!continuous || !keys.has(key)) processed.delete(key);
      // Read-ahead (and a fetch still in flight) of the old generation is dropped: resume exactly
      // after the last batch the handler completed, not at the stream's position or the committed offset.
      else rewind(key, offset);
    }
    for (const key of [...pending.keys()]) if (!keys.has(key)) pending.delete(key);
    joined = { generation, keys };
  };

  /** Keeps the messages the handler may see now; drops read-ahead of paused, rewound or revoked partitions. */
  const admit = (m: Raw): boolean => {
    const key = keyOf(m.topic, m.partition);
    const generation = generationOf(m);
    if (generation !== consumer.generationId || generation !== joined.generation || !joined.keys.has(key)) return false;
    if (m.offset < (processed.get(key) ?? -1n)) return false;
    const want = expected.get(key);
    if (paused.has(key)) {
      if (want === undefined) expected.set(key, m.offset);
      return false;
    }
    if (want === undefined) return true;
    if (m.offset === want) {
      expected.delete(key);
      return true;
    }
    if (m.offset > want) stream?.offsetsToFetch.set(key, want);
    return false;
  };

  /** Deferred settlements per partition: a chain of pending commits and a generation a failed one bumps. */
  const chains = new Map<string, { tail: Promise<void>; generation: number }>();
  /** Offsets processed but not yet committed (a commit refused during a rebalance is retried). */
  const pending = new Map<string, { topic: string; partition: number; offset: bigint; leaderEpoch: number }>();

  /** Commits the pending offsets of `keys` (all when omitted) that this member still owns; keeps the ones that fail. */
  const flushCommits = async (keys?: string[]): Promise<void> => {
    const owned = new Set((consumer.assignments ?? []).flatMap((a) => a.partitions.map((p) => keyOf(a.topic, p))));
    // Never commit for a partition another member owns now: it could move that member's offset back.
    for (const key of [...pending.keys()]) if (!owned.has(key)) pending.delete(key);
    const entries = [...pending.entries()].filter(([key]) => keys === undefined || keys.includes(key));
    if (entries.length === 0) return;
    // Mid-join (no heartbeat timer, or a generation whose assignment has not arrived): the commit would
    // be refused and the client would answer with one more JoinGroup, which from the group leader
    // starts yet another rebalance. Kept for after the join, like a refused one.
    if (!consumer.isActive() || consumer.generationId !== joined.generation) return;
    try {
      await consumer.commit({ offsets: entries.map(([, v]) => v) });
      for (const [key, v] of entries) if (pending.get(key) === v) pending.delete(key);
    } catch {
      // Rebalance in progress or stale generation: retried after the next batch or idle tick.
    }
  };

  const handle = async (eachBatch: ConsumerRunOptions['eachBatch'], batch: Raw[]): Promise<void> => {
    const first = batch[0];
    const last = batch[batch.length - 1];
    if (first === undefined || last === undefined) return;
    // Drained before a rebalance that started while it waited behind other partitions' batches:
    // dropped like any message of an older generation (its partition's owner reads it again).
    if (generationOf(first) !== consumer.generationId || generationOf(first) !== joined.generation) return;
    const messages: IncomingMessage[] = batch.map((m) => ({
      topic: m.topic,
      partition: m.partition,
      offset: m.offset.toString(),
      key: m.key === undefined || m.key === null ? null : m.key.toString('utf8'),
      value: m.value ?? null,
      headers: headersOf(m.headers),
      timestampMs: Number(m.timestamp),
    }));
    const key = keyOf(first.topic, first.partition);
    const commitTo = { topic: last.topic, partition: last.partition, offset: last.offset + 1n, leaderEpoch: last.leaderEpoch };
    const markPending = (): void => {
      if ((pending.get(key)?.offset ?? -1n) < commitTo.offset) pending.set(key, commitTo);
    };
    try {
      const outcome = await eachBatch({ topic: first.topic, partition: first.partition, messages }, { heartbeat: async () => undefined, isRunning: () => running });
      processed.set(key, last.offset + 1n);
      if (outcome === undefined) {
        markPending();
        await flushCommits([key]);
        return;
      }
      // Deferred: keep fetching; commit in batch order once this batch settles.
      const chain = chains.get(key) ?? { tail: Promise.resolve(), generation: 0 };
      const generation = chain.generation;
      chain.tail = chain.tail.then(async () => {
        try {
          await outcome.settled;
        } catch {
          if (chain.generation === generation) {
            // Nothing from this batch on commits; the partition is read again from its first offset.
            chain.generation += 1;
            processed.set(key, first.offset);
            rewind(key, first.offset);
            wake?.();
          }
          return;
        }
        if (chain.generation !== generation) return;
        markPending();
        await flushCommits([key]);
      });
      chains.set(key, chain);
    } catch {
      // At-least-once: nothing after the batch's first offset counts as processed.
      if (generationOf(first) === consumer.generationId) rewind(key, first.offset);
      await sleep(500);
    }
  };

  const drain = (): Raw[] => {
    const out: Raw[] = [];
    for (let m = stream?.read() as Raw | null; m !== null && m !== undefined; m = stream?.read() as Raw | null) if (admit(m)) out.push(m);
    return out;
  };

  const consumeLoop = async (run: ConsumerRunOptions): Promise<void> => {
    const concurrency = Math.max(1, run.partitionsConsumedConcurrently ?? 1);
    while (running) {
      const ready = drain();
      if (ready.length === 0) {
        if (pending.size > 0) await flushCommits();
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, pending.size > 0 ? 500 : 5_000);
        });
        continue;
      }
      const byPartition = new Map<string, Raw[]>();
      for (const m of ready) {
        const key = keyOf(m.topic, m.partition);
        const list = byPartition.get(key);
        if (list) list.push(m);
        else byPartition.set(key, [m]);
      }
      const batches = [...byPartition.values()];
      const workers = Array.from({ length: Math.min(concurrency, batches.length) }, async () => {
        for (let b = batches.shift(); b !== undefined && running; b = batches.shift()) await handle(run.eachBatch, b);
      });
      await Promise.all(workers);
    }
  };

  return {
    honoursDeferredSettlement: true,
    async subscribe(list, beginning) {
      topics = [...list];
      fromBeginning = beginning;
    },
    async run(run) {
      if (run.onAssign) {
        const onAssign = run.onAssign;
        consumer.on('consumer:group:join', (payload) => onAssign((payload.assignments ?? []).map((a) => ({ topic: a.topic, partitions: [...a.partitions] }))));
      }
      consumer.on('consumer:group:join', (payload) => onJoin(payload.generationId ?? consumer.generationId, payload.assignments ?? []));
      stream = await consumer.consume({
        topics,
        mode: 'committed',
        fallbackMode: fromBeginning ? 'earliest' : 'latest',
        autocommit: false,
        sessionTimeout,
        heartbeatInterval: 1_000,
        maxBytesPerPartition,
        maxWaitTime: 500,
      });
      stream.on('readable', () => wake?.());
      stream.on('error', (cause: unknown) => {
        const wasRunning = running;
        running = false;
        wake?.();
        if (!wasRunning) return;
        // The stream is over: as with kafkajs, never a silent, healthy-looking member that reads nothing.
        const err = new AppError('kafka consumer stopped', { code: 'KAFKA_UNAVAILABLE', retryable: true, cause, details: { groupId } });
        if (run.onCrash) run.onCrash(err);
        else
          setImmediate(() => {
            throw err;
          });
      });
      running = true;
      loop = consumeLoop(run);
    },
    pause(topic, partitions) {
      for (const p of partitions ?? (consumer.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions)) paused.add(keyOf(topic, p));
    },
    resume(topic, partitions) {
      for (const p of partitions ?? (consumer.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions)) {
        const key = keyOf(topic, p);
        paused.delete(key);
        const want = expected.get(key);
        if (want !== undefined) stream?.offsetsToFetch.set(key, want);
      }
      wake?.();
    },
    async close() {
      running = false;
      wake?.();
      await loop;
      // Let deferred settlements commit while still a group member, then leave.
      let tails: Promise<void>[] = [];
      do {
        tails = [...chains.values()].map((c) => c.tail);
        await Promise.all(tails);
      } while ([...chains.values()].some((c, i) => c.tail !== tails[i]));
      // A rebalance under way would hold the last commits back: give it until the session timeout.
      const deadline = Date.now() + sessionTimeout;
      while (pending.size > 0 && (!consumer.isActive() || consumer.generationId !== joined.generation) && Date.now() < deadline) await sleep(100);
      await flushCommits();
      if (stream) await stream.close().catch(() => undefined);
      await consumer.close(true);
    },
  };
}

/** Creates an admin client for topics, health and lag (@platformatic/kafka). */
export async function createAdmin(config: KafkaConfig): Promise<BusAdmin> {
  const admin = new Admin(baseOf(config));
  const health = async (): Promise<{ brokers: number }> => {
    try {
      const metadata = await admin.metadata({ topics: [], forceUpdate: true });
      return { brokers: metadata.brokers.size };
    } catch (err) {
      throw new AppError('kafka cluster unreachable', { code: 'KAFKA_UNAVAILABLE', retryable: true, cause: err });
    }
  };
  try {
    await health();
  } catch (err) {
    await admin.close().catch(() => undefined);
    throw unavailable('admin', err);
  }
  return {
    async createTopics(list) {
      if (list.length === 0) return;
      await admin.createTopics({ topics: list.map((t) => ({ topic: t.topic, partitions: t.partitions, replicas: 1 })) });
      // Like kafkajs' waitForLeaders: return once every partition has a leader.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const metadata = await admin.metadata({ topics: list.map((t) => t.topic), forceUpdate: true }).catch(() => undefined);
        const ready = metadata !== undefined && list.every((t) => (metadata.topics.get(t.topic)?.partitions ?? []).filter((p) => p.leader >= 0).length === t.partitions);
        if (ready) return;
        if (Date.now() > deadline) throw new AppError('kafka topics have no leader', { code: 'KAFKA_UNAVAILABLE', retryable: true, details: { topics: list.map((t) => t.topic) } });
        await sleep(100);
      }
    },
    async deleteTopics(list) {
      await admin.deleteTopics({ topics: [...list] });
    },
    health,
    async lag(groupId, topic) {
      const metadata = await admin.metadata({ topics: [topic] });
      const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
      const indexes = Array.from({ length: count }, (_, i) => i);
      const offsetsAt = async (timestamp: bigint): Promise<Map<number, bigint>> => {
        const listed = await admin.listOffsets({ topics: [{ name: topic, partitions: indexes.map((partitionIndex) => ({ partitionIndex, timestamp })) }] });
        return new Map(listed.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.offset] as const)));
      };
      const [high, low, groups] = await Promise.all([offsetsAt(-1n), offsetsAt(-2n), admin.listConsumerGroupOffsets({ groups: [groupId] })]);
      const committed = new Map<number, bigint>();
      for (const g of groups) for (const t of g.topics) if (t.name === topic) for (const p of t.partitions) committed.set(p.partitionIndex, p.committedOffset);
      let lag = 0n;
      for (const p of indexes) {
        const h = high.get(p) ?? 0n;
        const c = committed.get(p) ?? -1n;
        lag += c < 0n ? h - (low.get(p) ?? 0n) : h - c;
      }
      return Number(lag);
    },
    close: () => admin.close(),
  };
}
