import type { Db } from 'mongodb';
import type { Checkpoint } from './core/checkpoint.ts';

/**
 * The MongoDB copy of the committed checkpoints (collection `ingest_checkpoints`, unique on
 * `key`), written after each Kafka transaction commits: queryable cursors for operators and
 * the review service, and the current posture snapshot per project. Works on FerretDB (no
 * transactions, no TTL: a unique index and upserts).
 */
export type MongoCheckpoints = {
  ensureIndexes(): Promise<void>;
  mirror(checkpoints: readonly Checkpoint[]): Promise<void>;
  loadAll(): Promise<Map<string, Checkpoint>>;
};

// FerretDB rejects nested arrays: the dedupe set is stored as two parallel arrays.
type Doc = Omit<Checkpoint, 'seen'> & { cursor: string; seenIds: string[]; seenTs: number[] };

function toDoc(cp: Checkpoint): Doc {
  const { seen, ...rest } = cp;
  return { ...rest, cursor: new Date(cp.cursorMs).toISOString(), seenIds: seen.map(([id]) => id), seenTs: seen.map(([, ts]) => ts) };
}

/** Creates the mirror over `db`. */
export function createMongoCheckpoints(db: Db, collectionName = 'ingest_checkpoints'): MongoCheckpoints {
  const collection = db.collection<Doc>(collectionName);
  return {
    async ensureIndexes() {
      await collection.createIndex({ key: 1 }, { unique: true, name: 'key_unique' });
    },
    async mirror(checkpoints) {
      if (checkpoints.length === 0) return;
      await collection.bulkWrite(
        checkpoints.map((cp) => ({
          replaceOne: { filter: { key: cp.key }, replacement: toDoc(cp), upsert: true },
        })),
        { ordered: false },
      );
    },
    async loadAll() {
      const out = new Map<string, Checkpoint>();
      for await (const doc of collection.find({}, { projection: { _id: 0 } })) {
        out.set(doc.key, { key: doc.key, cursorMs: doc.cursorMs, seen: doc.seenIds.map((id, i): [string, number] => [id, doc.seenTs[i] ?? 0]), seq: doc.seq, updatedAt: doc.updatedAt, ...(doc.state === undefined ? {} : { state: doc.state }) });
      }
      return out;
    },
  };
}
