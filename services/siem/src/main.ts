// SIEM forwarder. Reads: env + optional ATLAS_AUDIT_CONFIG file (Kafka, sinks), Kafka topics
// atlas.alerts.v1 and atlas.alerts.retry.v1. Writes: every configured sink (webhook, syslog
// TCP/TLS, Splunk HEC, Kafka), atlas.alerts.retry.v1 (parked alerts), atlas.dlq.v1 (invalid
// alerts). Serves /metrics, /healthz, /readyz.
import { Registry } from 'prom-client';
import { loadConfig } from '@atlas-audit/shared/config';
import { AppError } from '@atlas-audit/shared/errors';
import { createAdmin } from '@atlas-audit/shared/kafka-client';
import { createLogger, logProcessWarnings } from '@atlas-audit/shared/logger';
import { startServiceHttp } from '@atlas-audit/shared/service-http';
import { onShutdown } from '@atlas-audit/shared/shutdown';
import { siemConfigSchema, siemEnvBindings } from './config.ts';
import { startSiem } from './service.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(siemConfigSchema, siemEnvBindings);
  } catch (err) {
    process.stderr.write(`${err instanceof AppError ? err.message : 'invalid configuration'}\n`);
    process.exit(2);
  }
  const log = createLogger({ name: 'siem', level: config.log.level });
  logProcessWarnings(log);
  const registry = new Registry();
  const admin = await createAdmin(config.kafka);
  const siem = await startSiem(config, log, registry);
  const http = await startServiceHttp({ service: 'siem', host: config.http.host, port: config.http.port, registry, checks: [{ name: 'kafka', check: () => admin.health() }] });
  log.info({ url: http.url }, 'service http listening');
  onShutdown(log, async () => {
    http.setDraining();
    await siem.stop();
    await admin.close();
    await http.close();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`siem failed to start: ${err instanceof Error ? err.message : 'unknown error'}\n`);
  process.exit(1);
});
