import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

export type ReadinessCheck = { name: string; check: () => Promise<unknown> };

export type ServiceHttp = {
  registry: Registry;
  url: string;
  /** Marks the service as draining: /readyz answers 503 from now on. */
  setDraining(): void;
  close(): Promise<void>;
};

/**
 * Starts the operational HTTP endpoints every service exposes: `/metrics` (Prometheus text),
 * `/healthz` (the process is alive) and `/readyz` (every readiness check resolves within 5 s;
 * 503 with the failing check names otherwise, never with error details that could hold secrets).
 */
export async function startServiceHttp(options: { service: string; host: string; port: number; checks: readonly ReadinessCheck[]; registry?: Registry }): Promise<ServiceHttp> {
  const registry = options.registry ?? new Registry();
  registry.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: registry });
  let draining = false;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', service: options.service }));
      return;
    }
    if (path === '/readyz') {
      void readiness().then((failed) => {
        const ready = failed.length === 0 && !draining;
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ready, draining, failed }));
      });
      return;
    }
    if (path === '/metrics') {
      void registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
  });

  async function readiness(): Promise<string[]> {
    const results = await Promise.all(
      options.checks.map(async ({ name, check }) => {
        try {
          await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5_000).unref())]);
          return undefined;
        } catch {
          return name;
        }
      }),
    );
    return results.filter((name): name is string => name !== undefined);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    registry,
    url: `http://${options.host}:${address.port}`,
    setDraining: () => {
      draining = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
