import { createHash } from 'node:crypto';

/**
 * Static sharding of projects (and orgs) over ingest replicas by rendezvous hashing: each
 * owner id goes to the replica index with the highest hash(owner, index). Every replica
 * computes the same answer from REPLICA_INDEX/REPLICA_COUNT alone, no coordination; changing
 * the count moves only the projects whose winner changed.
 */

function score(owner: string, replica: number): bigint {
  return createHash('sha256').update(`${owner}\n${replica}`).digest().readBigUInt64BE(0);
}

/** The replica index (0-based, < count) that owns `owner`. */
export function ownerReplica(owner: string, replicaCount: number): number {
  let best = 0;
  let bestScore = -1n;
  for (let replica = 0; replica < replicaCount; replica += 1) {
    const s = score(owner, replica);
    if (s > bestScore) {
      best = replica;
      bestScore = s;
    }
  }
  return best;
}

/** The owners (project or org ids) that replica `index` of `count` polls, in input order. */
export function ownedBy<T extends string>(owners: readonly T[], index: number, count: number): T[] {
  return owners.filter((owner) => ownerReplica(owner, count) === index);
}
