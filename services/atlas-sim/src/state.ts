import type { ApiError } from './core/api-error.ts';
import { clockAt, simTimeAt, type SimClock } from './core/clock.ts';
import { activeFaults, applyFault, type Fault, type FaultSpec, type RequestFacts } from './core/faults.ts';
import type { LateLines } from './core/host-chunk.ts';
import { takeToken, type BucketLimits, type BucketState, type TakeResult } from './core/token-bucket.ts';
import type { World } from './core/world.ts';

/**
 * The mutable state of a running simulator (clock, faults, rate-limit buckets, OAuth tokens,
 * request log) and the test-only control surface over it. Real time comes from `realNow`.
 */

export type RequestRecord = {
  /** Real time the request arrived (ms since epoch). */
  atMs: number;
  /** Simulated time the request was answered at. */
  simMs: number;
  method: string;
  path: string;
  endpoint: string;
  groupId?: string;
  orgId?: string;
  host?: string;
  logName?: string;
  status: number;
  /** For log downloads: the window asked for (ms) and how many lines were served. */
  window?: { startMs: number; endMs: number; lineCount: number };
  auth?: 'digest' | 'bearer' | 'none';
  /** The late-line setting in force when a log was served (to recompute exactly what was sent). */
  late?: LateLines;
  /** The fault applied to this request, if any (a faulted log body was not usable). */
  fault?: string;
};

export type SimControl = {
  world: World;
  /** Simulated now (ms). */
  now: () => number;
  /** Sets simulated now; the clock keeps its speed from there. */
  setNow: (simMs: number) => void;
  advance: (ms: number) => void;
  setSpeed: (speed: number) => void;
  addFault: (spec: FaultSpec) => string;
  removeFault: (id: string) => void;
  clearFaults: () => void;
  faults: () => Fault[];
  setLateLines: (late: LateLines | undefined) => void;
  lateLines: () => LateLines | undefined;
  setRateLimit: (endpoint: string, limits: BucketLimits) => void;
  resetRateLimits: () => void;
  setTokenTtlSeconds: (seconds: number) => void;
  requests: (filter?: Partial<Pick<RequestRecord, 'endpoint' | 'groupId' | 'host' | 'logName' | 'status'>>) => RequestRecord[];
  clearRequests: () => void;
};

export type TokenInfo = { clientId: string; expiresAtMs: number };

export type SimState = {
  control: SimControl;
  realNow: () => number;
  nonceSecret: string;
  nonceTtlMs: number;
  apiKeys: Map<string, string>;
  serviceAccounts: Map<string, string>;
  tokens: Map<string, TokenInfo>;
  tokenTtlSeconds: () => number;
  takeRateToken: (endpoint: string, scope: string) => (TakeResult & { limits: BucketLimits }) | undefined;
  faultFor: (facts: RequestFacts) => Fault | undefined;
  record: (r: RequestRecord) => void;
  late: () => LateLines | undefined;
};

export type StateOptions = {
  world: World;
  realNow: () => number;
  clock: SimClock;
  nonceSecret: string;
  nonceTtlMs: number;
  apiKeys: Map<string, string>;
  serviceAccounts: Map<string, string>;
  tokenTtlSeconds: number;
  rateLimits: Record<string, BucketLimits>;
  faults: FaultSpec[];
  lateLines: LateLines | undefined;
  maxRecordedRequests: number;
};

/** Builds the state and control surface of one simulator instance. */
export function createState(options: StateOptions): SimState {
  let clock = options.clock;
  let faults: Fault[] = [];
  let nextFault = 1;
  let late = options.lateLines;
  let tokenTtl = options.tokenTtlSeconds;
  const limits: Record<string, BucketLimits> = { ...options.rateLimits };
  const buckets = new Map<string, BucketState>();
  const requests: RequestRecord[] = [];
  const now = (): number => simTimeAt(clock, options.realNow());
  const addFault = (spec: FaultSpec): string => {
    const id = `fault-${nextFault++}`;
    faults.push({ ...spec, id, hits: 0 });
    return id;
  };
  for (const spec of options.faults) addFault(spec);
  const control: SimControl = {
    world: options.world,
    now,
    setNow: (simMs) => {
      clock = clockAt(simMs, options.realNow(), clock.speed);
    },
    advance: (ms) => {
      clock = clockAt(now() + ms, options.realNow(), clock.speed);
    },
    setSpeed: (speed) => {
      clock = clockAt(now(), options.realNow(), speed);
    },
    addFault,
    removeFault: (id) => {
      faults = faults.filter((f) => f.id !== id);
    },
    clearFaults: () => {
      faults = [];
    },
    faults: () => activeFaults(faults, options.realNow()),
    setLateLines: (value) => {
      late = value;
    },
    lateLines: () => late,
    setRateLimit: (endpoint, value) => {
      limits[endpoint] = value;
      for (const key of [...buckets.keys()]) if (key.startsWith(`${endpoint}|`)) buckets.delete(key);
    },
    resetRateLimits: () => buckets.clear(),
    setTokenTtlSeconds: (seconds) => {
      tokenTtl = seconds;
    },
    requests: (filter) =>
      requests.filter((r) => filter === undefined || Object.entries(filter).every(([k, v]) => v === undefined || (r as Record<string, unknown>)[k] === v)),
    clearRequests: () => {
      requests.length = 0;
    },
  };
  return {
    control,
    realNow: options.realNow,
    nonceSecret: options.nonceSecret,
    nonceTtlMs: options.nonceTtlMs,
    apiKeys: options.apiKeys,
    serviceAccounts: options.serviceAccounts,
    tokens: new Map(),
    tokenTtlSeconds: () => tokenTtl,
    takeRateToken: (endpoint, scope) => {
      const l = limits[endpoint];
      if (l === undefined) return undefined;
      const key = `${endpoint}|${scope}`;
      const result = takeToken(l, buckets.get(key), options.realNow());
      buckets.set(key, result.state);
      return { ...result, limits: l };
    },
    faultFor: (facts) => {
      const applied = applyFault(faults, facts, options.realNow());
      faults = applied.faults;
      return applied.fault;
    },
    record: (r) => {
      requests.push(r);
      if (requests.length > options.maxRecordedRequests) requests.splice(0, requests.length - options.maxRecordedRequests);
    },
    late: () => late,
  };
}

export type { ApiError };
