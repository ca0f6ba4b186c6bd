import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '@atlas-audit/shared/logger';
import { apiError } from './core/api-error.ts';
import { clockAt } from './core/clock.ts';
import type { FaultSpec } from './core/faults.ts';
import { linesForHostChunk, type ChunkLine, type ChunkSource, type LateLines } from './core/host-chunk.ts';
import { parseScenario, type Scenario } from './core/scenario.ts';
import type { BucketLimits } from './core/token-bucket.ts';
import { buildWorld, checkReferences } from './core/world.ts';
import { errorOut, handle } from './handle.ts';
import { createState, type SimControl } from './state.ts';

/**
 * The HTTP shell of the Atlas Admin API simulator: node:http, one handler, the pure core
 * for everything it answers. `startAtlasSim` is what tests and main.ts call.
 */

/** Default token buckets per endpoint set (capacity, refill per 60 s), after observed RateLimit-Limit values. */
export const defaultRateLimits: Record<string, BucketLimits> = {
  orgs: { capacity: 500, refillRate: 250, refillDurationSeconds: 60 },
  orgGroups: { capacity: 500, refillRate: 250, refillDurationSeconds: 60 },
  orgEvents: { capacity: 500, refillRate: 250, refillDurationSeconds: 60 },
  groups: { capacity: 300, refillRate: 150, refillDurationSeconds: 60 },
  group: { capacity: 300, refillRate: 150, refillDurationSeconds: 60 },
  processes: { capacity: 300, refillRate: 150, refillDurationSeconds: 60 },
  clusters: { capacity: 300, refillRate: 150, refillDurationSeconds: 60 },
  groupEvents: { capacity: 300, refillRate: 150, refillDurationSeconds: 60 },
  auditLog: { capacity: 1200, refillRate: 600, refillDurationSeconds: 60 },
  accessHistory: { capacity: 1200, refillRate: 600, refillDurationSeconds: 60 },
  accessList: { capacity: 1200, refillRate: 600, refillDurationSeconds: 60 },
  customDBRoles: { capacity: 2000, refillRate: 1000, refillDurationSeconds: 60 },
  databaseUsers: { capacity: 10000, refillRate: 5000, refillDurationSeconds: 60 },
  maintenanceWindow: { capacity: 1200, refillRate: 600, refillDurationSeconds: 60 },
  encryptionAtRest: { capacity: 1200, refillRate: 600, refillDurationSeconds: 60 },
  logs: { capacity: 10000, refillRate: 5000, refillDurationSeconds: 60 },
};

export type ClockOption =
  | { mode: 'real' }
  /** Simulated time starts at `startAt` (ISO or ms) and runs `speed` times real time (0 = frozen). */
  | { mode: 'offset'; startAt: string | number; speed?: number };

export type SimOptions = {
  /** A validated scenario, or YAML text. */
  scenario: Scenario | string;
  seed?: number;
  host?: string;
  port?: number;
  /** Accepted API key pairs, public key → private key. */
  apiKeys?: Record<string, string>;
  /** Accepted service accounts, client id → client secret. */
  serviceAccounts?: Record<string, string>;
  tokenTtlSeconds?: number;
  nonceTtlMs?: number;
  clock?: ClockOption;
  /** Overrides per endpoint set; `null` removes the limit. */
  rateLimits?: Record<string, BucketLimits | null>;
  faults?: FaultSpec[];
  lateLines?: LateLines;
  logger?: Logger;
  /** gzip level of log downloads (1 fastest … 9 smallest). */
  gzipLevel?: number;
  maxRecordedRequests?: number;
  /** How many generated 5-minute chunks to keep in memory (0 = no cache; ~150 KB each at load-3x3 rates). */
  chunkCacheSize?: number;
  /** Source of real time (tests may inject one); defaults to Date.now. */
  realNow?: () => number;
};

export type RunningSim = { url: string; port: number; control: SimControl; close: () => Promise<void> };

/** An LRU cache of generated chunks in front of the pure generator (chunks never change). */
function cachedChunkSource(maxChunks: number): ChunkSource {
  const cache = new Map<string, ChunkLine[]>();
  return (world, projectId, hostname, logName, chunkStart) => {
    const key = `${projectId}|${hostname}|${logName}|${chunkStart}`;
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const lines = linesForHostChunk(world, projectId, hostname, logName, chunkStart);
    cache.set(key, lines);
    if (cache.size > maxChunks) cache.delete(cache.keys().next().value as string);
    return lines;
  };
}

/** Starts a simulator; resolves once it listens. */
export async function startAtlasSim(options: SimOptions): Promise<RunningSim> {
  const realNow = options.realNow ?? Date.now;
  const clockOption = options.clock ?? { mode: 'real' };
  const startReal = realNow();
  const clock = clockOption.mode === 'real'
    ? clockAt(startReal, startReal, 1)
    : clockAt(typeof clockOption.startAt === 'number' ? clockOption.startAt : Date.parse(clockOption.startAt), startReal, clockOption.speed ?? 1);
  if (Number.isNaN(clock.anchorSimMs)) throw new Error('invalid clock: startAt is not an instant');
  let scenario: Scenario;
  if (typeof options.scenario === 'string') {
    // Relative scenario times (now-7d, start+2d3h) are resolved against the simulated clock at start-up.
    const parsed = parseScenario(options.scenario, clock.anchorSimMs);
    if (!parsed.ok) throw new Error(`invalid scenario: ${parsed.reason}`);
    scenario = parsed.value;
  } else scenario = options.scenario;
  const problems = checkReferences(scenario);
  if (problems.length > 0) throw new Error(`invalid scenario: ${problems.join('; ')}`);
  const world = buildWorld(scenario, options.seed ?? scenario.seed);
  const rateLimits: Record<string, BucketLimits> = { ...defaultRateLimits };
  for (const [name, value] of Object.entries(options.rateLimits ?? {})) {
    if (value === null) delete rateLimits[name];
    else rateLimits[name] = value;
  }
  const state = createState({
    world,
    realNow,
    clock,
    nonceSecret: randomBytes(32).toString('hex'),
    nonceTtlMs: options.nonceTtlMs ?? 5 * 60 * 1000,
    apiKeys: new Map(Object.entries(options.apiKeys ?? {})),
    serviceAccounts: new Map(Object.entries(options.serviceAccounts ?? {})),
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    rateLimits,
    faults: options.faults ?? [],
    lateLines: options.lateLines,
    maxRecordedRequests: options.maxRecordedRequests ?? 100000,
  });
  const gzipLevel = options.gzipLevel ?? 6;
  const cacheSize = options.chunkCacheSize ?? 600;
  const chunkSource = cacheSize > 0 ? cachedChunkSource(cacheSize) : linesForHostChunk;
  const log = options.logger;
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const server: Server = createServer((req, res) => {
    handle(state, req, res, { gzipLevel, sleep, chunkSource }).catch((err: unknown) => {
      log?.error({ err, path: req.url }, 'request failed');
      if (!res.headersSent) {
        const out = errorOut(apiError(500, 'UNEXPECTED_ERROR', 'Unexpected error.'));
        res.writeHead(out.status, out.headers).end(out.body);
      } else res.destroy();
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  log?.info({ url, scenario: scenario.name, seed: world.seed, projects: world.projects.length }, 'atlas api listening');
  return {
    url,
    port,
    control: state.control,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
