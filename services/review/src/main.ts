// Access-review service. Reads: env + optional ATLAS_AUDIT_CONFIG file; Elasticsearch (events and
// alerts indices of the namespace); MongoDB (posture events, previous reviews). Writes: review
// files under review.outputDir, review records in MongoDB, rows in atlas-audit-review-<ns>.
// Runs each configured project on the cron schedule (time zone aware). Serves /metrics, /healthz, /readyz.
import { Registry } from 'prom-client';
import { loadConfig } from '@atlas-audit/shared/config';
import { AppError } from '@atlas-audit/shared/errors';
import { createLogger, logProcessWarnings } from '@atlas-audit/shared/logger';
import { startServiceHttp } from '@atlas-audit/shared/service-http';
import { onShutdown } from '@atlas-audit/shared/shutdown';
import { reviewConfigSchema, reviewEnvBindings } from './config.ts';
import { parseCron } from './core/cron.ts';
import { openReviewDeps } from './open-deps.ts';
import { runAccessReview } from './run-review.ts';
import { startScheduler } from './scheduler.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(reviewConfigSchema, reviewEnvBindings);
  } catch (err) {
    process.stderr.write(`${err instanceof AppError ? err.message : 'invalid configuration'}\n`);
    process.exit(2);
  }
  const log = createLogger({ name: 'review', level: config.log.level });
  logProcessWarnings(log);
  const settings = config.review;
  const schedule = parseCron(settings.schedule);
  if (!schedule.ok) throw new AppError('invalid schedule', { code: 'CONFIG_INVALID', retryable: false });
  const opened = await openReviewDeps(config, log);
  const scheduler = startScheduler({
    schedule: schedule.value,
    timeZone: settings.timeZone,
    windowDays: settings.windowDays,
    projects: settings.projects,
    log,
    run: async (project, window) => {
      await runAccessReview({ project, ...window, timeZone: settings.timeZone, dormantDays: settings.dormantDays, lookbackDays: settings.lookbackDays }, opened.deps);
    },
  });
  const http = await startServiceHttp({ service: 'review', host: config.http.host, port: config.http.port, registry: new Registry(), checks: [{ name: 'stores', check: opened.health }] });
  log.info({ url: http.url, schedule: settings.schedule, timeZone: settings.timeZone }, 'review service ready');
  onShutdown(log, async () => {
    http.setDraining();
    await scheduler.stop();
    await opened.close();
    await http.close();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`review failed to start: ${err instanceof Error ? err.message : 'unknown error'}\n`);
  process.exit(1);
});
