import { MongoClient, type Db } from 'mongodb';
import type { z } from 'zod';
import { AppError } from './errors.ts';
import type { mongodbConfigSchema } from './config.ts';

export type MongodbConfig = z.output<typeof mongodbConfigSchema>;

export type StateStore = {
  client: MongoClient;
  db: Db;
  /** Pings the server; throws a retryable AppError when unreachable. */
  health(): Promise<{ ok: boolean }>;
  close(): Promise<void>;
};

/** Connects to MongoDB (or a MongoDB-wire server such as FerretDB). */
export async function createStateStore(config: MongodbConfig): Promise<StateStore> {
  const client = new MongoClient(config.uri, { serverSelectionTimeoutMS: 10_000, retryWrites: true });
  try {
    await client.connect();
  } catch (err) {
    // The URI may carry credentials: never put it in the message.
    throw new AppError('mongodb could not connect', { code: 'MONGODB_UNAVAILABLE', retryable: true, cause: err instanceof Error ? new Error(err.name) : undefined });
  }
  const db = client.db(config.database);
  return {
    client,
    db,
    async health() {
      try {
        await db.command({ ping: 1 });
        return { ok: true };
      } catch (err) {
        throw new AppError('mongodb unreachable', { code: 'MONGODB_UNAVAILABLE', retryable: true, cause: err });
      }
    },
    close: () => client.close(),
  };
}
