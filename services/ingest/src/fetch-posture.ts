import { withoutSecrets, type PostureSnapshot } from '@atlas-audit/shared/core/normalise/posture-resources';
import { AppError } from '@atlas-audit/shared/errors';
import { postureResources, type AtlasApi } from './atlas/api.ts';
import { reasonOf } from './fetch-window.ts';

/**
 * Reads every posture resource of a project into one snapshot. A resource the key may not read
 * (401/403) or that does not exist (404) is left out of the snapshot (and so not diffed); any
 * other failure fails the snapshot, to be retried.
 */
export async function fetchPostureSnapshot(api: AtlasApi, project: string, takenAt: string): Promise<{ ok: true; snapshot: PostureSnapshot; missing: string[] } | { ok: false; reason: string }> {
  const snapshot: PostureSnapshot = { takenAt };
  const missing: string[] = [];
  for (const resource of postureResources) {
    try {
      const body = await api.posture(project, resource);
      // Paged list endpoints come back as their results; the normaliser takes bare arrays. The
      // snapshot is kept in the checkpoint (Kafka, MongoDB): any write-only secret goes first.
      snapshot[resource] = withoutSecrets(body);
    } catch (err) {
      const status = err instanceof AppError ? err.details['status'] : undefined;
      if (status === 401 || status === 403 || status === 404) {
        missing.push(resource);
        continue;
      }
      return { ok: false, reason: `${resource}: ${reasonOf(err)}` };
    }
  }
  return { ok: true, snapshot, missing };
}
