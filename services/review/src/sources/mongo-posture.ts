import type { Db } from 'mongodb';
import { AppError } from '@atlas-audit/shared/errors';
import type { PostureEvent } from '../core/posture.ts';

/** Reads the posture records (database users and custom roles) of a project up to an instant. */
export type PostureSource = { events(project: string, toIso: string): Promise<PostureEvent[]> };

/**
 * Posture from MongoDB: the normalised `atlas.posture` events (state snapshots and diffs) the
 * ingest worker stores in `collection`, database users and custom roles only, projected to the
 * fields the review reads. Throws a retryable AppError when MongoDB fails.
 */
export function createMongoPostureSource(db: Db, collection: string): PostureSource {
  return {
    async events(project, toIso) {
      try {
        const docs = await db
          .collection(collection)
          .find(
            {
              'cloud.project.id': project,
              'event.dataset': 'atlas.posture',
              '@timestamp': { $lte: toIso },
              $or: [{ 'atlas.snapshot.kind': { $in: ['database_user', 'custom_role'] } }, { 'atlas.diff.resource_type': { $in: ['database_user', 'custom_role'] } }],
            },
            { projection: { _id: 0, '@timestamp': 1, 'atlas.snapshot': 1, 'atlas.diff': 1 } },
          )
          .sort({ '@timestamp': 1 })
          .toArray();
        return docs as unknown as PostureEvent[];
      } catch (err) {
        throw new AppError('mongodb posture query failed', { code: 'MONGODB_UNAVAILABLE', retryable: true, cause: err });
      }
    },
  };
}
