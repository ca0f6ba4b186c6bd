import { createSearchStore } from '@atlas-audit/shared/elasticsearch';
import type { Logger } from '@atlas-audit/shared/logger';
import { createStateStore } from '@atlas-audit/shared/mongo';
import type { ReviewConfig } from './config.ts';
import { createMongoReviewStore } from './review-store.ts';
import { createRowIndexer } from './row-index.ts';
import type { ReviewDeps } from './run-review.ts';
import { createEsActivitySource } from './sources/es-activity.ts';
import { createEsPostureSource } from './sources/es-posture.ts';
import { createMongoPostureSource } from './sources/mongo-posture.ts';

/** Connects Elasticsearch and MongoDB and builds the review's ports; `close` releases both. */
export async function openReviewDeps(config: ReviewConfig, log: Logger): Promise<{ deps: ReviewDeps; health: () => Promise<unknown>; close(): Promise<void> }> {
  const search = createSearchStore(config.elasticsearch);
  const state = await createStateStore(config.mongodb);
  const settings = config.review;
  return {
    deps: {
      activity: createEsActivitySource(search.client, settings.namespace),
      posture: settings.postureSource === 'mongodb' ? createMongoPostureSource(state.db, settings.postureCollection) : createEsPostureSource(search.client, settings.namespace),
      store: createMongoReviewStore(state.db, settings.reviewsCollection),
      rows: createRowIndexer(search.client, settings.namespace),
      outputDir: settings.outputDir,
      nowMs: Date.now,
      log,
    },
    health: () => Promise.all([search.health(), state.health()]),
    async close() {
      await Promise.all([search.close(), state.close()]);
    },
  };
}
