import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { issueToken, revokeToken, authenticate } from './auth.ts';
import { apiError, invalidVersionError, prettyJson, rateLimitedError, resourceNotFound, unauthorizedBody, type ApiError } from './core/api-error.ts';
import { resolveVersion } from './core/api-version.ts';
import { encodeLines, type ChunkSource } from './core/host-chunk.ts';
import { matchRoute } from './route-table.ts';
import type { Reply } from './routes.ts';
import type { RequestRecord, SimState } from './state.ts';

/**
 * One Admin API request, in Atlas' order: OAuth endpoints; then authentication, route,
 * media-type version, rate limit, fault switches, handler; every request recorded.
 */

const gzipAsync = promisify(gzip);

export type Outgoing = { status: number; headers: Record<string, string | number>; body: Buffer | string };

/** `envelope=true` wraps the body as `{status, content}` (and answers 200); `pretty=true` indents it Jackson-style. */
type Presentation = { envelope: boolean; pretty: boolean };
const plain: Presentation = { envelope: false, pretty: false };

function jsonOut(status: number, body: unknown, contentType: string, extra: Record<string, string | number> = {}, how: Presentation = plain): Outgoing {
  const value = how.envelope ? { content: body, status } : body;
  return { status: how.envelope ? 200 : status, headers: { 'Content-Type': contentType, ...extra }, body: how.pretty ? prettyJson(value) : JSON.stringify(value) };
}

/** An ApiError as a response: its status, JSON body and the X-Error-Code header. */
export function errorOut(error: ApiError, extra: Record<string, string | number> = {}, how: Presentation = plain): Outgoing {
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


export type HandleOptions = { gzipLevel: number; sleep: (ms: number) => Promise<void>; chunkSource: ChunkSource };

/** Answers one request (never throws for bad input; a rejected promise is a bug). */
export async function handle(state: SimState, req: IncomingMessage, res: ServerResponse, options: HandleOptions): Promise<void> {
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
  if (fault?.kind === 'no-data-line') {
    const text = Buffer.from('No data for given time period or host is unreachable\n');
    send({ status: 200, headers: { ...logHeaders, 'X-Uncompressed-Content-Length': text.length }, body: Buffer.from(await gzipAsync(text)) });
    return;
  }
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
