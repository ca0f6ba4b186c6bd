import { MongoBulkWriteError, type Db } from 'mongodb';
import type { Logger } from '@atlas-audit/shared/logger';

/**
 * Which alerts each sink has acknowledged, kept across restarts so that a batch read again after
 * a crash (its offsets were not committed) is not sent again to a sink that already took it.
 * Both operations never throw: a ledger that cannot be read means "nothing known" (the alerts are
 * sent again: at least once), a ledger that cannot be written is logged and counted.
 */
export type DeliveryLedger = {
  /** The ids among `ids` that `sink` is recorded as having acknowledged; empty when unknown. */
  delivered(sink: string, ids: readonly string[]): Promise<Set<string>>;
  /** Records that `sink` acknowledged `ids`; idempotent. */
  record(sink: string, ids: readonly string[]): Promise<void>;
  /** Stops the periodic pruning. */
  close(): void;
};

/** A ledger that knows nothing (no MongoDB configured): every alert read is sent. */
export const noLedger: DeliveryLedger = {
  delivered: async () => new Set(),
  record: async () => {},
  close: () => {},
};

const PRUNE_EVERY_MS = 3_600_000;

type LedgerDoc = { _id: string; sink: string; alertId: string; deliveredAt: Date };

const keyOf = (sink: string, id: string): string => `${sink}:${id}`;

/** True for a bulk insert error whose every failure is a duplicate key (E11000). */
function onlyDuplicateKeys(err: unknown): boolean {
  if (!(err instanceof MongoBulkWriteError)) return false;
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  return errors.length > 0 && errors.every((e) => e.code === 11000);
}

/**
 * The ledger in MongoDB: one document per (sink, alert id), `_id` = `<sink>:<alert id>` (sink
 * names never contain a colon). Entries older than `retentionHours` are deleted at start and
 * hourly (a delete rather than a TTL index, which FerretDB does not implement). `onError` is
 * told about every failed read, write or prune (for a metric).
 */
export async function createMongoLedger(db: Db, collectionName: string, retentionHours: number, log: Logger, onError: (op: 'read' | 'write' | 'prune') => void = () => {}): Promise<DeliveryLedger> {
  const collection = db.collection<LedgerDoc>(collectionName);
  await collection.createIndex({ deliveredAt: 1 });
  const prune = async (): Promise<void> => {
    try {
      const { deletedCount } = await collection.deleteMany({ deliveredAt: { $lt: new Date(Date.now() - retentionHours * 3_600_000) } });
      if (deletedCount > 0) log.info({ count: deletedCount, retentionHours }, 'delivery ledger pruned');
    } catch (err) {
      onError('prune');
      log.warn({ err }, 'delivery ledger not pruned');
    }
  };
  await prune();
  const timer = setInterval(() => void prune(), PRUNE_EVERY_MS);
  timer.unref();
  return {
    close: () => clearInterval(timer),
    async delivered(sink, ids) {
      if (ids.length === 0) return new Set();
      try {
        const docs = await collection.find({ _id: { $in: ids.map((id) => keyOf(sink, id)) } }, { projection: { alertId: 1 } }).toArray();
        return new Set(docs.map((d) => d.alertId));
      } catch (err) {
        onError('read');
        log.warn({ sink, count: ids.length, err }, 'delivery ledger unreadable, sending anyway');
        return new Set();
      }
    },
    async record(sink, ids) {
      if (ids.length === 0) return;
      const deliveredAt = new Date();
      try {
        await collection.insertMany(
          ids.map((id) => ({ _id: keyOf(sink, id), sink, alertId: id, deliveredAt })),
          { ordered: false },
        );
      } catch (err) {
        // Ids recorded before (an alert re-driven or read again) are duplicate keys: already in the ledger.
        if (onlyDuplicateKeys(err)) return;
        onError('write');
        log.warn({ sink, count: ids.length, err }, 'delivery ledger not written; a restart may send these alerts again');
      }
    },
  };
}
