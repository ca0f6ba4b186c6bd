import type { Collection, Db } from 'mongodb';
import { AppError } from '@atlas-audit/shared/errors';
import type { StateChange } from './core/state/port.ts';
import type { StateBackend } from './state-backend.ts';

type StateDoc = { _id: string; p: number; n: string; k: string; v: string; o: number };

const BATCH = 1_000;

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * Rule state in MongoDB (works on FerretDB: no transactions, TTL or $lookup needed): one document
 * per (partition, namespace, key), value as JSON text (keys may hold dots), fenced by offset with
 * a conditional upsert; a duplicate-key answer means a newer write won and is ignored.
 */
export async function createMongoBackend(db: Db, collectionName: string): Promise<StateBackend> {
  const coll: Collection<StateDoc> = db.collection<StateDoc>(collectionName);
  try {
    await coll.createIndex({ p: 1 });
  } catch (err) {
    throw new AppError('mongodb state index could not be created', { code: 'MONGODB_UNAVAILABLE', retryable: true, cause: err });
  }
  return {
    async load(partition) {
      try {
        const docs = await coll.find({ p: partition }, { projection: { n: 1, k: 1, v: 1 } }).toArray();
        return docs.map((d) => ({ namespace: d.n, key: d.k, value: JSON.parse(d.v) as StateChange['value'] }));
      } catch (err) {
        throw new AppError('mongodb state load failed', { code: 'MONGODB_UNAVAILABLE', retryable: true, cause: err, details: { partition } });
      }
    },
    async save(partition, changes, throughOffset) {
      for (let i = 0; i < changes.length; i += BATCH) {
        const ops = changes.slice(i, i + BATCH).map((c) => {
          const _id = `${partition}\u0000${c.namespace}\u0000${c.key}`;
          const fence = { _id, o: { $lt: throughOffset } };
          if (c.value === undefined) return { deleteOne: { filter: fence } };
          return { updateOne: { filter: fence, update: { $set: { p: partition, n: c.namespace, k: c.key, v: JSON.stringify(c.value), o: throughOffset } }, upsert: true } };
        });
        try {
          await coll.bulkWrite(ops, { ordered: false });
        } catch (err) {
          const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
          const list = Array.isArray(writeErrors) ? writeErrors : writeErrors === undefined ? [] : [writeErrors];
          if (list.length > 0 && list.every(isDuplicateKey)) continue;
          if (isDuplicateKey(err)) continue;
          throw new AppError('mongodb state save failed', { code: 'MONGODB_UNAVAILABLE', retryable: true, cause: err, details: { partition, count: ops.length } });
        }
      }
    },
  };
}
