import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { AppError } from '@atlas-audit/shared/errors';
import type { StateChange } from './core/state/port.ts';
import type { StateBackend } from './state-backend.ts';

type StateDoc = { _id: string; p: number; n: string; k: string; v: string; o: number };

const BATCH = 1_000;
/** Bulk writes per chunk before a save gives up (each round after the first drops at least the entry that conflicted). */
const MAX_ROUNDS = 20;

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** True when every error a bulk write reported is a duplicate key (a fenced upsert meeting a newer entry). */
function onlyDuplicateKeys(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors === undefined ? [] : [writeErrors];
  return list.length > 0 ? list.every(isDuplicateKey) : isDuplicateKey(err);
}

type Op = { _id: string; op: AnyBulkWriteOperation<StateDoc> };

/**
 * Writes `ops` fenced at `throughOffset` until each is applied or fenced. A duplicate-key answer
 * means that entry already holds a write at this offset or later; what the server did with the
 * other operations of the batch differs (MongoDB carries on, FerretDB stops at the first error),
 * so the entries still below the offset are looked up and written again.
 */
async function writeFenced(coll: Collection<StateDoc>, ops: readonly Op[], throughOffset: number): Promise<void> {
  let pending = ops;
  for (let round = 0; pending.length > 0; round++) {
    try {
      await coll.bulkWrite(pending.map((o) => o.op), { ordered: false });
      return;
    } catch (err) {
      if (!onlyDuplicateKeys(err) || round >= MAX_ROUNDS) throw err;
    }
    const ids = pending.map((o) => o._id);
    const fenced = new Set((await coll.find({ _id: { $in: ids }, o: { $gte: throughOffset } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
    pending = pending.filter((o) => !fenced.has(o._id));
  }
}

/**
 * Rule state in MongoDB (works on FerretDB: no transactions, TTL or $lookup needed): one document
 * per (partition, namespace, key), value as JSON text (keys may hold dots), fenced by offset with
 * a conditional upsert; an entry whose upsert meets a newer write is left alone, every other entry
 * of the save is written (whatever the server does with a batch after a duplicate key).
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
        const ops = changes.slice(i, i + BATCH).map((c): Op => {
          const _id = `${partition}\u0000${c.namespace}\u0000${c.key}`;
          const fence = { _id, o: { $lt: throughOffset } };
          if (c.value === undefined) return { _id, op: { deleteOne: { filter: fence } } };
          return { _id, op: { updateOne: { filter: fence, update: { $set: { p: partition, n: c.namespace, k: c.key, v: JSON.stringify(c.value), o: throughOffset } }, upsert: true } } };
        });
        try {
          await writeFenced(coll, ops, throughOffset);
        } catch (err) {
          throw new AppError('mongodb state save failed', { code: 'MONGODB_UNAVAILABLE', retryable: true, cause: err, details: { partition, count: ops.length } });
        }
      }
    },
  };
}
