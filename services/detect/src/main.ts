// The detect service. Reads: environment (see config.ts), the optional ATLAS_AUDIT_CONFIG file,
// the rules file (DETECT_RULES_FILE), Kafka topic atlas.events.v1 (consumer group) and rule state
// in MongoDB. Writes: alerts to atlas.alerts.v1 (key = alert id), undecodable records to
// atlas.dlq.v1, rule state to MongoDB, and /metrics, /healthz, /readyz over HTTP.
import { readFileSync } from 'node:fs';
import { loadConfig } from '@atlas-audit/shared/config';
import { AppError } from '@atlas-audit/shared/errors';
import { createLogger, logProcessWarnings } from '@atlas-audit/shared/logger';
import { createAdmin, createConsumer, createProducer } from '@atlas-audit/shared/kafka-client';
import { createStateStore } from '@atlas-audit/shared/mongo';
import { startServiceHttp } from '@atlas-audit/shared/service-http';
import { onShutdown } from '@atlas-audit/shared/shutdown';
import { compileConfig } from './core/config/compile.ts';
import { parseRulesConfig } from './core/config/load.ts';
import { detectConfigSchema, detectEnvBindings } from './config.ts';
import { createDetectMetrics } from './metrics.ts';
import { createMongoBackend } from './mongo-state.ts';
import { createDetectService } from './run.ts';

function loadRules(file: string | undefined): ReturnType<typeof compileConfig> {
  let text: string | undefined;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AppError(`cannot read rules file ${file}`, { code: 'CONFIG_INVALID', retryable: false, cause: err });
    }
  }
  const parsed = parseRulesConfig(text, file ?? 'default rules');
  if (!parsed.ok) throw new AppError(parsed.reason, { code: 'CONFIG_INVALID', retryable: false });
  return compileConfig(parsed.value);
}

async function main(): Promise<void> {
  const config = loadConfig(detectConfigSchema, detectEnvBindings);
  const log = createLogger({ name: 'detect', level: config.log.level });
  logProcessWarnings(log);
  const settings = config.detect;
  const rules = loadRules(settings.rulesFile);
  const store = await createStateStore(config.mongodb);
  const backend = await createMongoBackend(store.db, settings.stateCollection);
  const admin = await createAdmin(config.kafka);
  const producer = await createProducer(config.kafka);
  const consumer = await createConsumer(config.kafka, settings.groupId, { sessionTimeoutMs: settings.sessionTimeoutMs, maxBytesPerPartition: settings.maxBytesPerPartition });
  const http = await startServiceHttp({
    service: 'detect',
    host: config.http.host,
    port: config.http.port,
    checks: [
      { name: 'mongodb', check: () => store.health() },
      { name: 'kafka', check: () => admin.health() },
    ],
  });
  const metrics = createDetectMetrics(http.registry);
  const service = createDetectService({
    consumer,
    producer,
    backend,
    rules,
    topics: { events: settings.eventsTopic, alerts: settings.alertsTopic, dlq: settings.dlqTopic },
    log,
    metrics,
    now: () => new Date(),
  });
  await service.start(settings.fromBeginning);
  log.info({ url: http.url, groupId: settings.groupId, rules: Object.entries(rules.raw.rules).filter(([, r]) => r.enabled).length }, 'detect started');

  onShutdown(
    log,
    async () => {
      http.setDraining();
      await consumer.close();
      await producer.close();
      await admin.close();
      await store.close();
      await http.close();
    },
    settings.drainTimeoutMs + 5_000,
  );
}

main().catch((err: unknown) => {
  const log = createLogger({ name: 'detect', level: 'error' });
  log.fatal({ err }, 'detect failed to start');
  process.exit(1);
});
