import type { Db } from 'mongodb';
import { AppError } from '@atlas-audit/shared/errors';
import type { PreviousReview, Review, ReviewRow } from './core/review-model.ts';

/** What is kept of each review in MongoDB: metadata, file checksums, and each principal's roles for the next diff. */
export type ReviewRecord = {
  _id: string;
  project: string;
  from: string;
  to: string;
  generated_at: string;
  time_zone: string;
  dormant_days: number;
  previous_review_id: string | null;
  summary: Review['summary'];
  files: Array<{ name: string; path: string; bytes: number; sha256: string }>;
  /** sha256 over the files' `sha256  name` lines, sorted by name (the SHA256SUMS file). */
  sha256: string;
  principals: Array<{ principal: string; roles: string[]; status: string; principal_type: ReviewRow['principal_type'] }>;
};

export type ReviewStore = {
  /** The latest stored review of `project` that ended at or before `beforeIso` (other than `excludeId`). */
  previous(project: string, beforeIso: string, excludeId: string): Promise<PreviousReview | undefined>;
  /** Stores (or replaces) a review record; idempotent per review id. */
  save(record: ReviewRecord): Promise<void>;
};

/** The review store on MongoDB (or FerretDB). Throws a retryable AppError when MongoDB fails. */
export function createMongoReviewStore(db: Db, collection: string): ReviewStore {
  const reviews = db.collection<ReviewRecord>(collection);
  return {
    async previous(project, beforeIso, excludeId) {
      try {
        const [doc] = await reviews
          .find({ project, to: { $lte: beforeIso }, _id: { $ne: excludeId } })
          .sort({ to: -1 })
          .limit(1)
          .toArray();
        if (doc === undefined) return undefined;
        return { id: doc._id, to: doc.to, principals: doc.principals.filter((p) => p.status !== 'removed').map((p) => ({ principal: p.principal, roles: p.roles, principal_type: p.principal_type })) };
      } catch (err) {
        throw new AppError('mongodb review lookup failed', { code: 'MONGODB_UNAVAILABLE', retryable: true, cause: err });
      }
    },
    async save(record) {
      try {
        await reviews.replaceOne({ _id: record._id }, record, { upsert: true });
      } catch (err) {
        throw new AppError('mongodb review save failed', { code: 'MONGODB_UNAVAILABLE', retryable: true, cause: err });
      }
    },
  };
}
