import type { Logger } from '@atlas-audit/shared/logger';
import { buildReview, reviewIdOf } from './core/build-review.ts';
import { replayPosture } from './core/posture.ts';
import type { Review } from './core/review-model.ts';
import type { ReviewStore } from './review-store.ts';
import type { RowIndexer } from './row-index.ts';
import type { ActivitySource } from './sources/es-activity.ts';
import type { PostureSource } from './sources/mongo-posture.ts';
import { writeReviewFiles, type WrittenFile } from './write-files.ts';

export type ReviewDeps = {
  activity: ActivitySource;
  posture: PostureSource;
  store: ReviewStore;
  rows: RowIndexer;
  outputDir: string;
  nowMs: () => number;
  log: Logger;
};

export type ReviewRequest = { project: string; fromIso: string; toIso: string; timeZone: string; dormantDays: number; lookbackDays: number };

export type ReviewOutcome = { review: Review; directory: string; files: WrittenFile[]; sha256: string; index: string; indexed: number };

/**
 * Runs one access review: reads posture (MongoDB) and activity (Elasticsearch), compares with
 * the previous stored review, writes CSV/JSON/HTML and SHA256SUMS, stores the metadata and
 * checksums in MongoDB, and indexes the rows. Re-running the same window replaces its files,
 * record and rows (same review id). Dependency failures throw AppError.
 */
export async function runAccessReview(request: ReviewRequest, deps: ReviewDeps): Promise<ReviewOutcome> {
  const started = deps.nowMs();
  const id = reviewIdOf(request.project, request.fromIso, request.toIso);
  const window = { project: request.project, fromIso: request.fromIso, toIso: request.toIso, timeZone: request.timeZone };
  const [postureEvents, activity, previous] = await Promise.all([
    deps.posture.events(request.project, request.toIso),
    deps.activity.summarise(window, request.lookbackDays),
    deps.store.previous(request.project, request.fromIso, id),
  ]);
  const review = buildReview({
    project: request.project,
    fromIso: request.fromIso,
    toIso: request.toIso,
    generatedAtIso: new Date(started).toISOString(),
    timeZone: request.timeZone,
    dormantDays: request.dormantDays,
    posture: replayPosture(postureEvents, request.toIso),
    activity,
    ...(previous ? { previous } : {}),
  });
  const written = await writeReviewFiles(deps.outputDir, review);
  await deps.store.save({
    _id: review.id,
    project: review.project,
    from: review.from,
    to: review.to,
    generated_at: review.generated_at,
    time_zone: review.time_zone,
    dormant_days: review.dormant_days,
    previous_review_id: review.previous_review_id,
    summary: review.summary,
    files: written.files,
    sha256: written.sha256,
    principals: review.rows.map((r) => ({ principal: r.principal, roles: r.roles, status: r.status, principal_type: r.principal_type })),
  });
  const indexed = await deps.rows.index(review);
  deps.log.info({ reviewId: review.id, project: review.project, from: review.from, to: review.to, ...review.summary, directory: written.directory, durationMs: deps.nowMs() - started }, 'access review written');
  return { review, directory: written.directory, files: written.files, sha256: written.sha256, ...indexed };
}
