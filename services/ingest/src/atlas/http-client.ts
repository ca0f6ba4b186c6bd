import PQueue from 'p-queue';
import { AppError } from '@atlas-audit/shared/errors';
import { sleep, withRetry } from '@atlas-audit/shared/retry';
import { headerInt, pacingDelayMs, retryAfterFromDetail, retryAfterMs, unhintedRateLimitDelayMs } from '../core/rate-limit.ts';
import type { AtlasAuth } from './auth.ts';

/**
 * The Atlas Admin API HTTP client: versioned Accept media types, authentication, one p-queue
 * per endpoint family (concurrency and requests-per-interval caps), a gate per endpoint family
 * and scope that holds every request back until a 429's Retry-After has passed (a 429 naming no
 * delay closes it for 1 s, doubled with every further 429 in a row), pacing from RateLimit-*
 * headers, and retries with exponential backoff and full jitter.
 */

/** The gate after the first 429 that names no delay; doubled per further 429 in a row. */
const UNHINTED_429_BASE_MS = 1000;

export const JSON_MEDIA_TYPE = 'application/vnd.atlas.2023-01-01+json';
export const GZIP_MEDIA_TYPE = 'application/vnd.atlas.2023-02-01+gzip';

export const endpointFamilies = ['processes', 'clusters', 'groups', 'logs', 'accessHistory', 'events', 'orgEvents', 'posture'] as const;
export type EndpointFamily = (typeof endpointFamilies)[number];

export type FamilyLimits = { concurrency: number; intervalCap: number; intervalMs: number };

export type AtlasRequest = { family: EndpointFamily; scope: string; path: string; query?: Record<string, string | number | boolean | undefined>; accept?: string };

export type AtlasResponse = { status: number; headers: Headers; body: Buffer };

export type HttpClientOptions = {
  baseUrl: string;
  auth: AtlasAuth;
  limits: Record<EndpointFamily, FamilyLimits>;
  timeoutMs: number;
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  signal?: AbortSignal | undefined;
  /** Observes each response (status, family, elapsed) for metrics. */
  onResponse?: (family: EndpointFamily, status: number, elapsedMs: number) => void;
  onRetry?: (family: EndpointFamily, code: string, attempt: number, delayMs: number) => void;
  /** Observes each 429: the family and scope now closed, and for how long. */
  onRateLimited?: (family: EndpointFamily, scope: string, retryAfterMs: number) => void;
};

export type AtlasHttpClient = {
  get(request: AtlasRequest): Promise<AtlasResponse>;
  /** ms until requests to this family and scope may go again (0 when open). */
  blockedForMs(family: EndpointFamily, scope: string): number;
};


/** Creates the client. Requests resolve with 2xx responses; everything else throws an AppError. */
export function createAtlasHttpClient(options: HttpClientOptions): AtlasHttpClient {
  const queues = new Map<EndpointFamily, PQueue>();
  const blockedUntil = new Map<string, number>();
  // 429s in a row per gate that named no delay; any other answer resets it.
  const unhintedStreak = new Map<string, number>();
  const queueOf = (family: EndpointFamily): PQueue => {
    let queue = queues.get(family);
    if (queue === undefined) {
      const limits = options.limits[family];
      queue = new PQueue({ concurrency: limits.concurrency, intervalCap: limits.intervalCap, interval: limits.intervalMs });
      queues.set(family, queue);
    }
    return queue;
  };
  const gateKey = (family: EndpointFamily, scope: string): string => `${family}|${scope}`;
  const block = (key: string, untilMs: number): void => {
    blockedUntil.set(key, Math.max(blockedUntil.get(key) ?? 0, untilMs));
  };

  async function waitForGate(key: string): Promise<void> {
    for (;;) {
      const wait = (blockedUntil.get(key) ?? 0) - Date.now();
      if (wait <= 0) return;
      await sleep(wait, options.signal);
    }
  }

  function urlOf(request: AtlasRequest): URL {
    const url = new URL(request.path.startsWith('/') ? request.path : `/api/atlas/v2/${request.path}`, options.baseUrl);
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  async function once(request: AtlasRequest): Promise<AtlasResponse> {
    const key = gateKey(request.family, request.scope);
    const url = urlOf(request);
    const uri = `${url.pathname}${url.search}`;
    let authRetried = false;
    for (;;) {
      await waitForGate(key);
      // Checked again inside the queue slot, right before the request leaves: a 429 may have
      // closed the gate while this request waited for a slot.
      const res = await queueOf(request.family).add(async () => {
        await waitForGate(key);
        const authorization = await options.auth.header('GET', uri);
        const started = Date.now();
        let response: Response;
        try {
          response = await fetch(url, {
            headers: { accept: request.accept ?? JSON_MEDIA_TYPE, ...(authorization === undefined ? {} : { authorization }) },
            signal: options.signal === undefined ? AbortSignal.timeout(options.timeoutMs) : AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
          });
        } catch (err) {
          throw new AppError('atlas request failed', { code: 'ATLAS_HTTP_ERROR', retryable: true, cause: err instanceof Error ? new Error(err.name) : undefined, details: { family: request.family, path: url.pathname } });
        }
        const body = Buffer.from(await response.arrayBuffer());
        options.onResponse?.(request.family, response.status, Date.now() - started);
        const pause = pacingDelayMs(headerInt(response.headers.get('ratelimit-limit')), headerInt(response.headers.get('ratelimit-remaining')), 1000);
        if (pause > 0) block(key, Date.now() + pause);
        if (response.status === 429) {
          const hinted = retryAfterMs(response.headers.get('retry-after'), Date.now()) ?? retryAfterFromDetail(parseDetail(body));
          const streak = hinted === undefined ? (unhintedStreak.get(key) ?? 0) + 1 : 0;
          unhintedStreak.set(key, streak);
          const delay = hinted ?? unhintedRateLimitDelayMs(streak, UNHINTED_429_BASE_MS, Math.max(UNHINTED_429_BASE_MS, options.retry.maxDelayMs));
          block(key, Date.now() + delay);
          options.onRateLimited?.(request.family, request.scope, delay);
        } else unhintedStreak.delete(key);
        return { response, body, authorization };
      });
      if (res === undefined) throw new AppError('atlas request queue returned nothing', { code: 'INTERNAL', retryable: false });
      const { response, body, authorization } = res;
      const status = response.status;
      if (status === 401 && !authRetried && (await options.auth.unauthorized(response.headers.get('www-authenticate'), authorization))) {
        authRetried = true;
        continue;
      }
      if (status >= 200 && status < 300) return { status, headers: response.headers, body };
      const details = { family: request.family, path: url.pathname, status, errorCode: response.headers.get('x-error-code') ?? errorCodeOf(body) };
      if (status === 429) throw new AppError('atlas rate limited', { code: 'ATLAS_RATE_LIMITED', retryable: true, details: { ...details, retryAfterMs: Math.max(0, (blockedUntil.get(key) ?? 0) - Date.now()) } });
      if (status === 401 || status === 403) throw new AppError('atlas rejected the credentials', { code: 'ATLAS_AUTH_FAILED', retryable: false, details });
      throw new AppError('atlas request failed', { code: 'ATLAS_HTTP_ERROR', retryable: status >= 500 || status === 408, details });
    }
  }

  return {
    get(request) {
      return withRetry(() => once(request), {
        ...options.retry,
        signal: options.signal,
        // A 429 already closed the gate until Retry-After; the retry waits on the gate.
        delayHintMs: (err) => (err instanceof AppError && err.code === 'ATLAS_RATE_LIMITED' ? 0 : undefined),
        onRetry: (err, attempt, delayMs) => options.onRetry?.(request.family, err instanceof AppError ? err.code : 'UNKNOWN', attempt, delayMs),
      });
    },
    blockedForMs(family, scope) {
      return Math.max(0, (blockedUntil.get(gateKey(family, scope)) ?? 0) - Date.now());
    },
  };
}

function parseDetail(body: Buffer): unknown {
  try {
    return (JSON.parse(body.toString('utf8')) as { detail?: unknown }).detail;
  } catch {
    return undefined;
  }
}

function errorCodeOf(body: Buffer): string | undefined {
  try {
    const code = (JSON.parse(body.toString('utf8')) as { errorCode?: unknown }).errorCode;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
