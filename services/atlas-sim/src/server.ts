import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from '@atlas-audit/shared/logger';
import { authenticate, issueToken, revokeToken } from './auth.ts';
import { apiError, invalidVersionError, prettyJson, rateLimitedError, resourceNotFound, unauthorizedBody, type ApiError } from './core/api-error.ts';
import { resolveVersion } from './core/api-version.ts';
import { clockAt } from './core/clock.ts';
import type { FaultSpec } from './core/faults.ts';
import { encodeLines, linesForHostChunk, type ChunkLine, type ChunkSource, type LateLines } from './core/host-chunk.ts';
import { parseScenario, type Scenario } from './core/scenario.ts';
import type { BucketLimits } from './core/token-bucket.ts';
import { buildWorld, checkReferences } from './core/world.ts';
import { matchRoute, type Reply } from './routes.ts';
import { createState, type RequestRecord, type SimControl, type SimState } from './state.ts';

/**
 * The HTTP shell of the Atlas Admin API simulator: node:http, one handler, the pure core
 * for everything it answers. `startAtlasSim` is what tests and main.ts call.
 */

const gzipAsync = promisify(gzip);

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

type Outgoing = { status: number; headers: Record<string, string | number>; body: Buffer | string };

/** `envelope=true` wraps the body as `{status, content}` (and answers 200); `pretty=true` indents it Jackson-style. */
type Presentation = { envelope: boolean; pretty: boolean };
const plain: Presentation = { envelope: false, pretty: false };

function jsonOut(status: number, body: unknown, contentType: string, extra: Record<string, string | number> = {}, how: Presentation = plain): Outgoing {
  const value = how.envelope ? { content: body, status } : body;
  return { status: how.envelope ? 200 : status, headers: { 'Content-Type': contentType, ...extra }, body: how.pretty ? prettyJson(value) : JSON.stringify(value) };
}

function errorOut(error: ApiError, extra: Record<string, string | number> = {}, how: Presentation = plain): Outgoing {
  return jsonOut(error.status, error.body, 'application/json', { 'X-Error-Code': error.body.errorCode, ...extra }, how);
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

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
  let scenario: Scenario;
  if (typeof options.scenario === 'string') {
    const parsed = parseScenario(options.scenario);
    if (!parsed.ok) throw new Error(`invalid scenario: ${parsed.reason}`);
    scenario = parsed.value;
  } else scenario = options.scenario;
  const problems = checkReferences(scenario);
  if (problems.length > 0) throw new Error(`invalid scenario: ${problems.join('; ')}`);
  const world = buildWorld(scenario, options.seed ?? scenario.seed);
  const realNow = options.realNow ?? Date.now;
  const clockOption = options.clock ?? { mode: 'real' };
  const startReal = realNow();
  const clock = clockOption.mode === 'real'
    ? clockAt(startReal, startReal, 1)
    : clockAt(typeof clockOption.startAt === 'number' ? clockOption.startAt : Date.parse(clockOption.startAt), startReal, clockOption.speed ?? 1);
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

type HandleOptions = { gzipLevel: number; sleep: (ms: number) => Promise<void>; chunkSource: ChunkSource };

async function handle(state: SimState, req: IncomingMessage, res: ServerResponse, options: HandleOptions): Promise<void> {
  const atMs = state.realNow();
  // One simulated instant per request: what is served and what is recorded must agree exactly.
  let simMs = state.control.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const base = `http://${req.headers.host ?? 'localhost'}`;
  const how: Presentation = { envelope: url.searchParams.get('envelope') === 'true', pretty: url.searchParams.get('pretty') === 'true' };
  res.setHeader('Server', 'mdbws');
  const send = (out: Outgoing): void => {
    const body = typeof out.body === 'string' ? Buffer.from(out.body) : out.body;
    res.writeHead(out.status, { ...out.headers, 'Content-Length': body.length });
    res.end(body);
  };

  if (url.pathname === '/api/oauth/token' || url.pathname === '/api/oauth/revoke') {
    const form = new URLSearchParams(method === 'POST' ? await readBody(req, 65536) : '');
    const reply = method !== 'POST' ? { status: 405, body: '', headers: {} } : url.pathname.endsWith('token') ? issueToken(state, req.headers.authorization, form) : revokeToken(state, req.headers.authorization, form);
    state.record({ atMs, simMs, method, path: url.pathname, endpoint: url.pathname.endsWith('token') ? 'oauthToken' : 'oauthRevoke', status: reply.status, auth: 'none' });
    send({ status: reply.status, headers: reply.headers, body: reply.body });
    return;
  }

  const auth = authenticate(state, req, unauthorizedBody());
  const matched = matchRoute(url.pathname);
  const endpoint = matched?.route.endpoint ?? 'unknown';
  const params = matched?.params ?? [];
  const scopeId = matched?.route.scope === 'user' ? 'user' : (params[0] ?? 'none');
  const facts = {
    endpoint,
    ...(matched?.route.scope === 'group' ? { groupId: params[0] } : {}),
    ...(endpoint === 'logs' || endpoint === 'accessHistory' ? { host: params[1] } : {}),
    ...(endpoint === 'logs' ? { logName: params[2] } : {}),
  };
  const recordAs = (status: number, extra: Partial<Pick<RequestRecord, 'window' | 'late' | 'fault'>> = {}): void =>
    state.record({
      atMs, simMs, method, path: url.pathname, endpoint, status, auth: auth.ok ? auth.kind : 'none',
      ...(facts.groupId === undefined ? {} : { groupId: facts.groupId }),
      ...(matched?.route.scope === 'org' && params[0] !== undefined ? { orgId: params[0] } : {}),
      ...(facts.host === undefined ? {} : { host: facts.host }),
      ...(facts.logName === undefined ? {} : { logName: facts.logName }),
      ...extra,
    });

  if (!auth.ok) {
    recordAs(auth.status);
    send({ status: auth.status, headers: { 'Content-Type': auth.contentType, ...auth.headers }, body: auth.body });
    return;
  }
  if (matched === undefined || method !== 'GET') {
    const error = matched === undefined ? resourceNotFound(url.pathname) : apiError(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed.`);
    recordAs(error.status);
    send(errorOut(error));
    return;
  }
  const version = resolveVersion(req.headers.accept, matched.route.version);
  if (!version.ok) {
    recordAs(406);
    send(errorOut(invalidVersionError()));
    return;
  }
  const versionHeaders: Record<string, string> = { 'X-Java-Method': `ApiAtlas::${endpoint}` };
  if (version.value.deprecation !== undefined) versionHeaders['Deprecation'] = version.value.deprecation;
  if (version.value.sunset !== undefined) versionHeaders['Sunset'] = version.value.sunset;

  const bucket = state.takeRateToken(endpoint, scopeId);
  const rateHeaders: Record<string, string | number> = bucket === undefined ? {} : { 'RateLimit-Limit': bucket.limits.capacity, 'RateLimit-Remaining': bucket.remaining };
  if (bucket !== undefined && !bucket.allowed) {
    recordAs(429);
    const error = rateLimitedError(url.pathname.replace(/^\//, ''), bucket.retryAfterSeconds, bucket.limits.capacity, bucket.limits.refillRate, bucket.limits.refillDurationSeconds);
    send(errorOut(error, { ...rateHeaders, 'Retry-After': bucket.retryAfterSeconds }));
    return;
  }

  const fault = state.faultFor(facts);
  if (fault !== undefined) {
    switch (fault.kind) {
      case 'http-error':
        recordAs(fault.status, { fault: fault.kind });
        send(errorOut(apiError(fault.status, fault.errorCode ?? (fault.status === 429 ? 'RATE_LIMITED' : 'UNEXPECTED_ERROR'), fault.status >= 500 ? 'Unexpected error.' : null), rateHeaders));
        return;
      case 'rate-limit-no-retry-after':
        recordAs(429, { fault: fault.kind });
        send(errorOut(apiError(429, 'RATE_LIMITED', 'Too many requests.'), rateHeaders));
        return;
      case 'reset':
        recordAs(0, { fault: fault.kind });
        req.socket.destroy();
        return;
      case 'stall':
        await options.sleep(fault.stallMs);
        simMs = state.control.now();
        if (req.socket.destroyed) {
          recordAs(0, { fault: fault.kind });
          return;
        }
        break;
      default:
        break;
    }
  }

  const reply: Reply = matched.route.handler({ world: state.control.world, url, params, nowMs: simMs, base, late: state.late(), chunkSource: options.chunkSource });
  if (reply.kind === 'error') {
    recordAs(reply.error.status);
    send(errorOut(reply.error, rateHeaders, how));
    return;
  }
  if (reply.kind === 'json') {
    recordAs(200, fault === undefined ? {} : { fault: fault.kind });
    send(jsonOut(200, reply.body, version.value.contentType, { ...rateHeaders, ...versionHeaders }, how));
    return;
  }
  const late = state.late();
  recordAs(200, { window: { ...reply.window, lineCount: reply.lines.length }, ...(late === undefined ? {} : { late }), ...(fault === undefined ? {} : { fault: fault.kind }) });
  const logHeaders = { 'Content-Type': version.value.contentType, 'Content-Disposition': `attachment; filename="${reply.filename}"`, ...rateHeaders, ...versionHeaders };
  if (reply.lines.length === 0) {
    send({ status: 200, headers: { ...logHeaders, 'X-Uncompressed-Content-Length': 0 }, body: Buffer.alloc(0) });
    return;
  }
  const raw = encodeLines(reply.lines);
  let body = await gzipAsync(raw, { level: options.gzipLevel });
  if (fault?.kind === 'corrupt-gzip') {
    body = Buffer.from(body);
    for (let i = Math.floor(body.length / 3); i < Math.min(body.length - 8, Math.floor(body.length / 3) + 64); i++) body[i] = (body[i] ?? 0) ^ 0x5a;
  } else if (fault?.kind === 'truncated-gzip') body = body.subarray(0, Math.max(10, Math.floor(body.length * 0.6)));
  send({ status: 200, headers: { ...logHeaders, 'X-Uncompressed-Content-Length': raw.length }, body: Buffer.from(body) });
}
