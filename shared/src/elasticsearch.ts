import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { z } from 'zod';
import { AppError } from './errors.ts';
import type { elasticsearchConfigSchema } from './config.ts';

export type ElasticsearchConfig = z.output<typeof elasticsearchConfigSchema>;

export type SearchStore = {
  client: Client;
  /** Resolves with the cluster status; throws a retryable AppError when unreachable or red. */
  health(): Promise<{ status: string }>;
  close(): Promise<void>;
};

/** Creates the Elasticsearch client (8.x client; also talks to 9.x). */
export function createSearchStore(config: ElasticsearchConfig): SearchStore {
  const options: ClientOptions = { node: config.url, requestTimeout: 30_000, maxRetries: 0 };
  if (config.apiKey) options.auth = { apiKey: config.apiKey };
  else if (config.username && config.password) options.auth = { username: config.username, password: config.password };
  if (config.caFile || !config.rejectUnauthorized) {
    options.tls = { rejectUnauthorized: config.rejectUnauthorized, ...(config.caFile ? { ca: readFileSync(config.caFile) } : {}) };
  }
  const client = new Client(options);
  return {
    client,
    async health() {
      try {
        const res = await client.cluster.health({ timeout: '5s' });
        if (res.status === 'red') throw new Error('cluster status red');
        return { status: res.status };
      } catch (err) {
        throw new AppError('elasticsearch unreachable or red', { code: 'ELASTICSEARCH_UNAVAILABLE', retryable: true, cause: err });
      }
    },
    close: () => client.close(),
  };
}
