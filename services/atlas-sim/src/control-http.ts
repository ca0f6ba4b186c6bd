import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { SimControl } from './state.ts';

/**
 * The TEST-ONLY control surface over HTTP, on its own port (never the Admin API port): fault
 * switches, clock, late lines, rate limits, token lifetime and the request log. For tests in
 * another process and for demos; in-process tests use `RunningSim.control` directly.
 */

/** A fault spec as JSON (also SIM_FAULTS items); `durationMs` is relative to when it is added. */
export const faultSchema = z.intersection(
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('http-error'), status: z.number().int().min(400).max(599), errorCode: z.string().optional() }),
    z.object({ kind: z.literal('stall'), stallMs: z.number().int().min(0).max(600000) }),
    z.object({ kind: z.literal('reset') }),
    z.object({ kind: z.literal('corrupt-gzip') }),
    z.object({ kind: z.literal('truncated-gzip') }),
    z.object({ kind: z.literal('no-data-line') }),
    z.object({ kind: z.literal('rate-limit-no-retry-after') }),
  ]),
  z.object({
    endpoint: z.string().optional(),
    groupId: z.string().optional(),
    host: z.string().optional(),
    logName: z.string().optional(),
    count: z.number().int().min(1).optional(),
    untilMs: z.number().optional(),
    durationMs: z.number().int().min(1).optional(),
  }),
);
const clockSchema = z.object({ nowMs: z.number().optional(), advanceMs: z.number().optional(), speed: z.number().min(0).optional() });
/** Late-line settings as JSON (also SIM_LATE_LINES); `sinceMs` defaults to the simulated now. */
export const lateSchema = z.object({ fraction: z.number().min(0).max(1), delayMs: z.number().int().min(0), sinceMs: z.number().optional(), hostnames: z.array(z.string()).optional() });
/** One endpoint set's bucket as JSON. */
export const rateSchema = z.object({ endpoint: z.string().min(1), capacity: z.number().min(1), refillRate: z.number().min(0.001), refillDurationSeconds: z.number().min(1) });
const ttlSchema = z.object({ seconds: z.number().int().min(1) });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

async function route(control: SimControl, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const key = `${req.method} ${url.pathname}`;
  const parse = async <T>(schema: z.ZodType<T>): Promise<T | undefined> => {
    const parsed = schema.safeParse(await readJson(req));
    if (parsed.success) return parsed.data;
    reply(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    return undefined;
  };
  if (key === 'GET /control/state') return reply(res, 200, { nowMs: control.now(), faults: control.faults(), lateLines: control.lateLines() ?? null });
  if (key === 'GET /control/requests') {
    const filter = Object.fromEntries([...url.searchParams.entries()].map(([k, v]) => [k, k === 'status' ? Number(v) : v]));
    return reply(res, 200, control.requests(filter));
  }
  if (key === 'DELETE /control/requests') return (control.clearRequests(), reply(res, 204, null));
  if (key === 'POST /control/faults') {
    const spec = await parse(faultSchema);
    if (spec === undefined) return;
    const { durationMs, ...rest } = spec;
    return reply(res, 201, { id: control.addFault(durationMs === undefined ? rest : { ...rest, untilMs: Date.now() + durationMs }) });
  }
  if (key === 'DELETE /control/faults') return (control.clearFaults(), reply(res, 204, null));
  if (req.method === 'DELETE' && url.pathname.startsWith('/control/faults/')) return (control.removeFault(url.pathname.slice('/control/faults/'.length)), reply(res, 204, null));
  if (key === 'POST /control/clock') {
    const body = await parse(clockSchema);
    if (body === undefined) return;
    if (body.nowMs !== undefined) control.setNow(body.nowMs);
    if (body.advanceMs !== undefined) control.advance(body.advanceMs);
    if (body.speed !== undefined) control.setSpeed(body.speed);
    return reply(res, 200, { nowMs: control.now() });
  }
  if (key === 'POST /control/late-lines') {
    const body = await parse(lateSchema);
    if (body === undefined) return;
    control.setLateLines({ ...body, sinceMs: body.sinceMs ?? control.now() });
    return reply(res, 200, control.lateLines());
  }
  if (key === 'DELETE /control/late-lines') return (control.setLateLines(undefined), reply(res, 204, null));
  if (key === 'POST /control/rate-limits') {
    const body = await parse(rateSchema);
    if (body === undefined) return;
    control.setRateLimit(body.endpoint, body);
    return reply(res, 200, body);
  }
  if (key === 'POST /control/token-ttl') {
    const body = await parse(ttlSchema);
    if (body === undefined) return;
    control.setTokenTtlSeconds(body.seconds);
    return reply(res, 200, body);
  }
  return reply(res, 404, { error: `no control endpoint ${key}` });
}

/** Starts the control server on its own port; resolves with its URL and a close function. */
export async function startControlServer(control: SimControl, options: { host?: string; port?: number }): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    route(control, req, res).catch((err: unknown) => reply(res, 400, { error: err instanceof Error ? err.message : String(err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
