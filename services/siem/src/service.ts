import { hostname as osHostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { BusConsumer, BusProducer } from '@atlas-audit/shared/kafka';
import { consumerRestartLogger, createConsumer, createProducer } from '@atlas-audit/shared/kafka-client';
import type { Logger } from '@atlas-audit/shared/logger';
import { createStateStore, type StateStore } from '@atlas-audit/shared/mongo';
import type { SiemConfig } from './config.ts';
import { createMongoLedger, noLedger, type DeliveryLedger } from './delivery-ledger.ts';
import { createSiemMetrics } from './metrics.ts';
import { handleAlertBatch, handleRetryBatch } from './run.ts';
import { createSinkWorker, type SinkWorker } from './sink-worker.ts';
import { createSink } from './sinks/create-sink.ts';

export type RunningSiem = {
  workers: readonly SinkWorker[];
  /** Stops consuming, parks or finishes in-flight work, commits, and closes every client. */
  stop(): Promise<void>;
};

/**
 * Starts the SIEM forwarder: the main consumer group on the alerts topic, the re-drive consumer
 * group on the retry topic, one worker per configured sink, and one shared producer for parking,
 * dead letters and Kafka sinks. With `mongodb` configured, each worker consults and writes the
 * delivery ledger, so a batch read again after a crash skips what its sink already acknowledged.
 * Logs sink names and types only, never their settings.
 */
export async function startSiem(config: SiemConfig, log: Logger, registry: Registry): Promise<RunningSiem> {
  const metrics = createSiemMetrics(registry);
  const identity = { hostname: config.siem.hostname ?? osHostname(), device: config.siem.device };
  const producer: BusProducer = await createProducer(config.kafka);
  const park = (messages: Parameters<BusProducer['send']>[1]): Promise<void> => producer.send(config.siem.retryTopic, messages);
  let store: StateStore | undefined;
  let ledger: DeliveryLedger = noLedger;
  if (config.mongodb !== undefined) {
    store = await createStateStore(config.mongodb);
    ledger = await createMongoLedger(store.db, config.siem.ledger.collection, config.siem.ledger.retentionHours, log, (op) => metrics.ledgerErrors.inc({ op }));
  }
  log.info({ ledger: store === undefined ? 'off' : config.siem.ledger.collection }, 'siem delivery ledger');
  const workers = config.siem.sinks.map((sinkConfig) => createSinkWorker({ sink: createSink(sinkConfig, identity, producer), policy: sinkConfig, park, log, metrics, ledger }));
  const byName = new Map(workers.map((w) => [w.name, w]));
  log.info({ sinks: config.siem.sinks.map((s) => ({ name: s.name, type: s.type })) }, 'siem sinks configured');

  const consumers: BusConsumer[] = [];
  const main = await createConsumer(config.kafka, config.siem.groupId);
  consumers.push(main);
  await main.subscribe([config.siem.alertsTopic], true);
  const redrive = await createConsumer(config.kafka, config.siem.redriveGroupId);
  consumers.push(redrive);
  await redrive.subscribe([config.siem.retryTopic], true);

  const deadLetter = (messages: Parameters<BusProducer['send']>[1]): Promise<void> => producer.send(config.siem.dlqTopic, messages);
  await main.run({
    eachBatch: (batch, control) => handleAlertBatch(batch.messages, { workers, deadLetter, metrics, log, nowMs: Date.now }, control),
    onRestart: consumerRestartLogger(log),
  });
  await redrive.run({
    onRestart: consumerRestartLogger(log),
    eachBatch: (batch, control) =>
      handleRetryBatch(batch.messages, { workers: byName, metrics, log, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }, control),
  });
  log.info({ alertsTopic: config.siem.alertsTopic, retryTopic: config.siem.retryTopic }, 'siem forwarding');

  return {
    workers,
    async stop() {
      await Promise.all(consumers.map((c) => c.close()));
      await Promise.all(workers.map((w) => w.close()));
      await producer.close();
      ledger.close();
      await store?.close();
    },
  };
}
