import { randomBytes } from 'node:crypto';

/** Endpoints of the real services, from the environment (npm test sets them after starting the stack). */
export const endpoints = {
  kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((s) => s.trim()),
  elasticsearchUrl: process.env['ELASTICSEARCH_URL'] ?? 'http://127.0.0.1:9200',
  mongodbUri: process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017/?directConnection=true',
} as const;

/** A random lower-case suffix so each test owns its topics, indices and databases. */
export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
