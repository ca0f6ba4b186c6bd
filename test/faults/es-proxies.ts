import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * Faults in front of the real Elasticsearch, owned by a test: a TCP forwarder that can refuse
 * every connection for a while (Elasticsearch "down" as a client sees it), and an HTTP proxy
 * that answers `_bulk` items with 429 the way an overloaded node does. The shared cluster
 * itself is never touched.
 */

export type SwitchableProxy = {
  /** The local port; the same across down/up. */
  port: Promise<number>;
  /** Closes the listener and cuts every open connection. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
};

/** A TCP forwarder to `targetUrl`'s host and port that can be switched off and on again on the same port. */
export function switchableTcpProxy(targetUrl: string): SwitchableProxy {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = (): Promise<number> => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 9200), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((port = (server.address() as { port: number }).port))));
  };
  const down = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return { port: listen(), down, up: async () => void (await listen()), close: () => (server.listening ? down() : Promise.resolve()) };
}

/** Which bulk items (by `_id`, and how often each was seen) and which whole requests the proxy rejects. */
export type BulkRejection = {
  /** True: answer this item with a per-item 429 instead of forwarding it. `seen` counts this id's earlier occurrences. */
  rejectItem(id: string, seen: number): boolean;
  /** True: answer this whole `_bulk` request (the n-th, from 0, while this policy is set) with 429. */
  rejectRequest(n: number): boolean;
};

export type BulkRejectStats = {
  bulkRequests: number;
  /** Items answered with a per-item 429 (not forwarded). */
  itemsRejected: number;
  /** Whole requests answered with 429. */
  requestsRejected: number;
  /** Items forwarded to Elasticsearch. */
  itemsForwarded: number;
  /** Requests Elasticsearch did not answer with 200 (passed on as they came) or the proxy could not forward (502). */
  upstreamFailures: number;
};

export type BulkRejectingProxy = {
  url: Promise<string>;
  /** Sets (or with undefined, clears) the rejection policy. */
  reject(policy: BulkRejection | undefined): void;
  stats(): BulkRejectStats;
  /** When each bulk request carrying `id` reached the proxy (epoch ms), while a policy was set. */
  attemptsOf(id: string): readonly number[];
  close(): Promise<void>;
};

const REJECTED_ITEM = {
  status: 429,
  error: {
    type: 'es_rejected_execution_exception',
    reason: 'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]',
  },
};

const REJECTED_REQUEST = JSON.stringify({ error: { root_cause: [{ type: 'es_rejected_execution_exception', reason: REJECTED_ITEM.error.reason }], type: 'es_rejected_execution_exception', reason: REJECTED_ITEM.error.reason }, status: 429 });

// The Elasticsearch client refuses a response without the product header.
const SYNTHESISED_HEADERS = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

type Forwarded = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Forwarded> {
  const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
  // The proxy may rewrite the response: ask for it uncompressed.
  delete headers['accept-encoding'];
  return new Promise((resolve, reject) => {
    const up = httpRequest({ host: target.hostname, port: Number(target.port || 9200), method: req.method, path: req.url, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    up.on('error', reject);
    up.end(body);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string | string[] | undefined>, body: Buffer | string): void {
  const out: Record<string, string | string[] | undefined> = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  delete out['transfer-encoding'];
  delete out['content-encoding'];
  res.writeHead(status, out);
  res.end(body);
}

/**
 * An HTTP proxy to `targetUrl` that, while a policy is set, strips the items it rejects from
 * each `_bulk` body (so the real node indexes only the rest) and splices per-item 429
 * `es_rejected_execution_exception` results into the response at their positions, or answers
 * a whole request with 429. Everything else is forwarded unchanged. Bulk bodies must be
 * NDJSON of action lines each followed by one source line (`create`/`index`).
 */
export function bulkRejectingProxy(targetUrl: string): BulkRejectingProxy {
  const target = new URL(targetUrl);
  let policy: BulkRejection | undefined;
  let requestsUnderPolicy = 0;
  const seen = new Map<string, number>();
  const attempts = new Map<string, number[]>();
  const stats: BulkRejectStats = { bulkRequests: 0, itemsRejected: 0, requestsRejected: 0, itemsForwarded: 0, upstreamFailures: 0 };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const isBulk = req.method === 'POST' && (req.url ?? '').split('?')[0]?.endsWith('/_bulk') === true;
    if (!isBulk || policy === undefined) {
      if (isBulk) stats.bulkRequests += 1;
      const up = await forward(target, req, body);
      send(res, up.status, up.headers, up.body);
      return;
    }
    stats.bulkRequests += 1;
    const current = policy;
    if (current.rejectRequest(requestsUnderPolicy++)) {
      stats.requestsRejected += 1;
      send(res, 429, SYNTHESISED_HEADERS, REJECTED_REQUEST);
      return;
    }
    const lines = body.toString('utf8').split('\n').filter((l) => l !== '');
    const kept: string[] = [];
    const rejectedAt: boolean[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i] ?? '{}') as Record<string, { _id?: string }>;
      const id = Object.values(action)[0]?._id ?? '';
      const n = seen.get(id) ?? 0;
      seen.set(id, n + 1);
      attempts.set(id, [...(attempts.get(id) ?? []), Date.now()]);
      const rejected = current.rejectItem(id, n);
      rejectedAt.push(rejected);
      if (!rejected) kept.push(lines[i] ?? '', lines[i + 1] ?? '');
    }
    const keptItems: unknown[] = [];
    let headers: Record<string, string | string[] | undefined> = SYNTHESISED_HEADERS;
    if (kept.length > 0) {
      stats.itemsForwarded += kept.length / 2;
      const up = await forward(target, req, Buffer.from(`${kept.join('\n')}\n`));
      if (up.status !== 200) {
        stats.upstreamFailures += 1;
        send(res, up.status, up.headers, up.body);
        return;
      }
      headers = up.headers;
      keptItems.push(...((JSON.parse(up.body.toString('utf8')) as { items?: unknown[] }).items ?? []));
    }
    let next = 0;
    const items = rejectedAt.map((rejected) => (rejected ? { create: REJECTED_ITEM } : keptItems[next++]));
    stats.itemsRejected += rejectedAt.filter(Boolean).length;
    send(res, 200, headers, JSON.stringify({ errors: true, items }));
  }

  const server = createHttpServer((req, res) => {
    handle(req, res).catch(() => {
      stats.upstreamFailures += 1;
      if (!res.headersSent) send(res, 502, {}, '{"error":"proxy upstream failed"}');
      else res.destroy();
    });
  });
  const url = new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
  return {
    url,
    reject: (p) => {
      policy = p;
      requestsUnderPolicy = 0;
    },
    stats: () => ({ ...stats }),
    attemptsOf: (id) => attempts.get(id) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
