import { z } from 'zod';
import { commonEnvBindings, elasticsearchConfigSchema, httpConfigSchema, intFromEnv, logConfigSchema, mongodbConfigSchema, type EnvBinding } from '@atlas-audit/shared/config';
import { parseCron } from './core/cron.ts';
import { isValidTimeZone } from '@atlas-audit/shared/core/zoned-time';

export const reviewSettingsSchema = z
  .object({
    /** Cron expression (minute hour day-of-month month day-of-week) of the scheduled review. */
    schedule: z.string().refine((s) => parseCron(s).ok, { message: 'must be a valid 5-field cron expression' }).default('0 6 * * 1'),
    timeZone: z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone name' }).default('UTC'),
    /** Projects reviewed on schedule. */
    projects: z.array(z.string().min(1)).default([]),
    windowDays: intFromEnv(1, 366).default(7),
    dormantDays: intFromEnv(1, 3_650).default(90),
    /** How far back the last successful login is looked up for the dormant flag. */
    lookbackDays: intFromEnv(1, 3_650).default(400),
    outputDir: z.string().min(1).default('out/reviews'),
    /** Index namespace (see shared/src/es/index-names.ts). */
    namespace: z.string().regex(/^[a-z0-9_]{1,40}$/).default('default'),
    /** Where posture events are read: the events indices (the indexer writes them there) or a MongoDB collection. */
    postureSource: z.enum(['elasticsearch', 'mongodb']).default('elasticsearch'),
    postureCollection: z.string().min(1).default('posture_events'),
    reviewsCollection: z.string().min(1).default('access_reviews'),
  })
  .prefault({});

export const reviewConfigSchema = z.object({
  elasticsearch: elasticsearchConfigSchema,
  mongodb: mongodbConfigSchema,
  log: logConfigSchema,
  http: httpConfigSchema,
  review: reviewSettingsSchema,
});

export type ReviewConfig = z.output<typeof reviewConfigSchema>;
export type ReviewSettings = z.output<typeof reviewSettingsSchema>;

export const reviewEnvBindings: readonly EnvBinding[] = [
  ...commonEnvBindings.filter((b) => !b.path.startsWith('kafka.')),
  { path: 'review.schedule', env: 'REVIEW_SCHEDULE' },
  { path: 'review.timeZone', env: 'REVIEW_TIME_ZONE' },
  { path: 'review.projects', env: 'REVIEW_PROJECTS', list: true },
  { path: 'review.windowDays', env: 'REVIEW_WINDOW_DAYS' },
  { path: 'review.dormantDays', env: 'REVIEW_DORMANT_DAYS' },
  { path: 'review.outputDir', env: 'REVIEW_OUTPUT_DIR' },
  { path: 'review.namespace', env: 'INDEX_NAMESPACE' },
  { path: 'review.postureSource', env: 'REVIEW_POSTURE_SOURCE' },
  { path: 'review.postureCollection', env: 'REVIEW_POSTURE_COLLECTION' },
];
