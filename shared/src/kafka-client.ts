import type { BusAdmin, BusConsumer, BusProducer, KafkaConfig } from './kafka.ts';
import type { Logger } from './logger.ts';

/**
 * The Kafka client the services run on, chosen by `kafka.client` (env `KAFKA_CLIENT`):
 * `kafkajs` (shared/src/kafka.ts) or `platformatic` (shared/src/kafka-platformatic.ts), both
 * behind the project's Kafka interface with the same semantics. Only the chosen module is loaded.
 */
type Factories = {
  createProducer(config: KafkaConfig): Promise<BusProducer>;
  createConsumer(config: KafkaConfig, groupId: string, options?: { sessionTimeoutMs?: number; maxBytesPerPartition?: number }): Promise<BusConsumer>;
  createAdmin(config: KafkaConfig): Promise<BusAdmin>;
};

function factories(config: KafkaConfig): Promise<Factories> {
  return config.client === 'platformatic' ? import('./kafka-platformatic.ts') : import('./kafka.ts');
}

/** A producer of the configured client (acks=all, idempotent); throws a retryable KAFKA_UNAVAILABLE AppError when it cannot connect. */
export async function createProducer(config: KafkaConfig): Promise<BusProducer> {
  return (await factories(config)).createProducer(config);
}

/** A consumer-group member of the configured client that commits only after each batch settles. */
export async function createConsumer(config: KafkaConfig, groupId: string, options: { sessionTimeoutMs?: number; maxBytesPerPartition?: number } = {}): Promise<BusConsumer> {
  return (await factories(config)).createConsumer(config, groupId, options);
}

/** An admin client of the configured client (topics, health, lag). */
export async function createAdmin(config: KafkaConfig): Promise<BusAdmin> {
  return (await factories(config)).createAdmin(config);
}

/** A consumer's `onRestart` that logs the restart (error name and message only) at warn. */
export function consumerRestartLogger(log: Pick<Logger, 'warn'>): (err: unknown, attempt: number, delayMs: number) => void {
  return (err, attempt, delayMs) => {
    const brief = err instanceof Error ? { name: err.name, message: err.message.slice(0, 300) } : { name: 'unknown', message: String(err).slice(0, 300) };
    log.warn({ err: brief, attempt, delayMs }, 'kafka consumer stopped by its client, restarting');
  };
}
