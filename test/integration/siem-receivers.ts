// Loopback receivers for the SIEM integration tests: they record what arrives, the way a real
// syslog daemon, webhook endpoint or Splunk HEC would see it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { parseOctetCountedFrames } from '@atlas-audit/siem/core/syslog';
import { verifyWebhook, SIGNATURE_HEADER } from '@atlas-audit/siem/core/webhook-signature';

export type SyslogReceiver = { port: number; messages: string[]; errors: string[]; close(): Promise<void> };

function onFrames(socket: Socket, messages: string[], errors: string[]): void {
  let buffer: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    const parsed = parseOctetCountedFrames(buffer);
    if (!parsed.ok) {
      errors.push(parsed.reason);
      socket.destroy();
      return;
    }
    messages.push(...parsed.messages);
    buffer = parsed.rest;
  });
  socket.on('error', () => {});
}

function closeServer(server: NetServer | HttpServer, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function track(server: NetServer | HttpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

function listen(server: NetServer | HttpServer, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** A TCP syslog receiver (octet counting); `port` may be given to re-open a closed receiver on the same port. */
export async function startTcpSyslog(port = 0, messages: string[] = [], errors: string[] = []): Promise<SyslogReceiver> {
  const server = createNetServer((socket) => onFrames(socket, messages, errors));
  const sockets = track(server);
  const bound = await listen(server, port);
  return { port: bound, messages, errors, close: () => closeServer(server, sockets) };
}

/** A self-signed certificate for 127.0.0.1/localhost made with the openssl CLI. */
export function selfSignedCert(): { certFile: string; key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'siem-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}

/** A TLS syslog receiver (RFC 5425 framing) with the given key and certificate. */
export async function startTlsSyslog(tls: { key: Buffer; cert: Buffer }): Promise<SyslogReceiver> {
  const messages: string[] = [];
  const errors: string[] = [];
  const server = createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => onFrames(socket, messages, errors));
  const sockets = track(server);
  const port = await listen(server);
  return { port, messages, errors, close: () => closeServer(server, sockets) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export type WebhookReceiver = { url: string; bodies: unknown[][]; badSignatures: number; refused: number; refuseUntilMs: number; close(): Promise<void> };

/**
 * An HTTP webhook that verifies the HMAC signature and answers 503 until `refuseUntilMs`. With
 * `responseDelayMs` an accepted body is recorded at once and answered that much later (a remote
 * SIEM's latency), so a sender can die after the SIEM has the alerts but before it sees the 204.
 */
export async function startWebhook(secret: string, refuseUntilMs = 0, options: { responseDelayMs?: number } = {}): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: '', bodies: [], badSignatures: 0, refused: 0, refuseUntilMs, close: async () => {} };
  const delayMs = options.responseDelayMs ?? 0;
  const server = createHttpServer((req, res) => {
    void readBody(req).then((body) => {
      if (Date.now() < receiver.refuseUntilMs) {
        receiver.refused += 1;
        res.writeHead(503).end();
        return;
      }
      const signature = String(req.headers[SIGNATURE_HEADER] ?? '');
      if (!verifyWebhook(secret, signature, body, Math.floor(Date.now() / 1000), 300)) {
        receiver.badSignatures += 1;
        res.writeHead(401).end();
        return;
      }
      receiver.bodies.push(JSON.parse(body) as unknown[]);
      if (delayMs > 0) setTimeout(() => res.writeHead(204).end(), delayMs);
      else res.writeHead(204).end();
    });
  });
  const sockets = track(server);
  const port = await listen(server);
  receiver.url = `http://127.0.0.1:${port}/hooks/atlas`;
  receiver.close = () => closeServer(server, sockets);
  return receiver;
}

export type HecReceiver = { url: string; events: Array<Record<string, unknown>>; unauthorised: number; ackPolls: number; channels: Set<string>; close(): Promise<void> };

/**
 * A Splunk-HEC-compatible endpoint: `/services/collector/event` (concatenated JSON events,
 * `Authorization: Splunk <token>`, returns an ackId when a channel header is sent) and
 * `/services/collector/ack`, which reports an ackId as indexed from its second poll on.
 */
export async function startHec(token: string): Promise<HecReceiver> {
  const receiver: HecReceiver = { url: '', events: [], unauthorised: 0, ackPolls: 0, channels: new Set(), close: async () => {} };
  let nextAckId = 0;
  const polls = new Map<number, number>();
  const server = createHttpServer((req, res) => {
    void readBody(req).then((body) => {
      if (req.headers['authorization'] !== `Splunk ${token}`) {
        receiver.unauthorised += 1;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"text":"Invalid token","code":4}');
        return;
      }
      const channel = req.headers['x-splunk-request-channel'];
      const path = (req.url ?? '').split('?')[0];
      if (path === '/services/collector/event') {
        for (const line of body.split('\n').filter((l) => l.trim() !== '')) receiver.events.push(JSON.parse(line) as Record<string, unknown>);
        const reply: Record<string, unknown> = { text: 'Success', code: 0 };
        if (typeof channel === 'string') {
          receiver.channels.add(channel);
          reply['ackId'] = nextAckId;
          polls.set(nextAckId, 0);
          nextAckId += 1;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
        return;
      }
      if (path === '/services/collector/ack') {
        receiver.ackPolls += 1;
        const ids = (JSON.parse(body) as { acks: number[] }).acks;
        const acks: Record<string, boolean> = {};
        for (const id of ids) {
          const n = (polls.get(id) ?? 0) + 1;
          polls.set(id, n);
          acks[String(id)] = n >= 2;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ acks }));
        return;
      }
      res.writeHead(404).end();
    });
  });
  const sockets = track(server);
  const port = await listen(server);
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () => closeServer(server, sockets);
  return receiver;
}
