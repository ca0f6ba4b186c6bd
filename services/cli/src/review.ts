// `atlas-audit review --project ID --from DATE --to DATE [--out DIR] [--tz ZONE] [--dormant-days N]`:
// runs one access review on demand. Reads env + optional ATLAS_AUDIT_CONFIG (Elasticsearch,
// MongoDB, review settings); writes the review files, the MongoDB record and the indexed rows;
// prints where the files are and a short summary.
import { parseArgs } from 'node:util';
import { loadConfig } from '@atlas-audit/shared/config';
import { AppError } from '@atlas-audit/shared/errors';
import { createLogger } from '@atlas-audit/shared/logger';
import { reviewConfigSchema, reviewEnvBindings } from '@atlas-audit/review/config';
import { reviewSummaryText as summaryTextOf } from '@atlas-audit/review/core/summary-text';

export const REVIEW_USAGE = 'usage: atlas-audit review --project ID --from DATE --to DATE [--out DIR] [--tz ZONE] [--dormant-days N]\n  DATE is YYYY-MM-DD (midnight in --tz; --to includes that day) or an ISO timestamp with offset\n';

export type CliIo = { stdout: (text: string) => void; stderr: (text: string) => void; env: Record<string, string | undefined> };

const defaultIo: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env };

/**
 * Runs `atlas-audit review` with the arguments after the subcommand. Returns the exit code:
 * 0 done, 2 bad arguments or configuration, 1 a dependency failed. Never prints secrets.
 */
export async function runReview(args: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { project: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, tz: { type: 'string' }, 'dormant-days': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : 'bad arguments'}\n${REVIEW_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(REVIEW_USAGE);
    return 0;
  }
  if (!values.project || !values.from || !values.to) {
    io.stderr(`--project, --from and --to are required\n${REVIEW_USAGE}`);
    return 2;
  }
  const env = { ...io.env };
  if (values.out) env['REVIEW_OUTPUT_DIR'] = values.out;
  if (values.tz) env['REVIEW_TIME_ZONE'] = values.tz;
  if (values['dormant-days']) env['REVIEW_DORMANT_DAYS'] = values['dormant-days'];
  let config;
  try {
    config = loadConfig(reviewConfigSchema, reviewEnvBindings, env);
  } catch (err) {
    io.stderr(`${err instanceof AppError ? err.message : 'invalid configuration'}\n`);
    return 2;
  }
  // Imported lazily so `--help` and argument errors never load the database drivers.
  const { parseReviewWindow } = await import('@atlas-audit/review/core/window');
  const window = parseReviewWindow(values.from, values.to, config.review.timeZone);
  if (!window.ok) {
    io.stderr(`${window.reason}\n${REVIEW_USAGE}`);
    return 2;
  }
  const log = createLogger({ name: 'cli-review', level: env['LOG_LEVEL'] ?? 'warn', destination: process.stderr });
  const { openReviewDeps } = await import('@atlas-audit/review/open-deps');
  const { runAccessReview } = await import('@atlas-audit/review/run-review');
  let opened;
  try {
    opened = await openReviewDeps(config, log);
  } catch (err) {
    io.stderr(`review failed: ${err instanceof Error ? err.message : 'cannot connect'}\n`);
    return 1;
  }
  try {
    const outcome = await runAccessReview(
      { project: values.project, ...window.value, timeZone: config.review.timeZone, dormantDays: config.review.dormantDays, lookbackDays: config.review.lookbackDays },
      opened.deps,
    );
    io.stdout(summaryTextOf({ ...outcome, collection: config.review.reviewsCollection }));
    return 0;
  } catch (err) {
    io.stderr(`review failed: ${err instanceof Error ? err.message : 'unknown error'}\n`);
    return 1;
  } finally {
    await opened.close();
  }
}
