import { gzipSync } from 'node:zlib';
import { AppError } from '@atlas-audit/shared/errors';
import type { AtlasApi } from '../src/atlas/api.ts';
import type { DiscoveredProcess } from '../src/core/streams.ts';

/**
 * An in-memory Atlas for unit tests of the run loop: one project, two hosts, audit lines in
 * 5-minute chunks served whole and only once published (chunk end + lag), some identical lines
 * within a chunk, one invalid line in every seventh chunk, late lines visible only after an
 * extra delay; access history newest first with many entries per millisecond; a few events.
 */
export const PROJECT = '65f0c0ffee0ddba11ab1e5e1';
export const HOSTS = ['atlas-a-shard-00-00.x.mongodb.net', 'atlas-a-shard-00-01.x.mongodb.net'];
const CHUNK_MS = 5 * 60_000;

export type FakeOptions = { startMs: number; endMs: number; publishLagMs: number; lateDelayMs: number; now: () => number; failHost?: { host: string; untilMs: number }; truncateHost?: { host: string; untilMs: number } };

export type FakeAtlas = AtlasApi & {
  allAuditLines(host: string): Array<{ chunk: number; text: string }>;
  allAccessEntries(): unknown[];
  allEvents(): unknown[];
  requests: { logs: number; failed: number };
};

function auditLine(ms: number, user: string, n: number): string {
  const ts = new Date(ms).toISOString().replace('Z', '+00:00');
  return `{ "atype" : "authenticate", "ts" : { "$date" : "${ts}" }, "local" : { "ip" : "192.168.0.1", "port" : 27017 }, "remote" : { "ip" : "203.0.113.${n % 200}", "port" : ${40000 + n} }, "users" : [ { "user" : "${user}", "db" : "admin" } ], "roles" : [], "param" : { "user" : "${user}", "db" : "admin", "mechanism" : "SCRAM-SHA-256" }, "result" : ${n % 11 === 0 ? 18 : 0} }`;
}

/** Creates the fake; everything is derived from the options, so expectations can be recomputed. */
export function createFakeAtlas(options: FakeOptions): FakeAtlas {
  const chunks: number[] = [];
  for (let c = Math.floor(options.startMs / CHUNK_MS) * CHUNK_MS; c < options.endMs; c += CHUNK_MS) chunks.push(c);
  const linesOf = (host: string, chunk: number): Array<{ text: string; late: boolean }> => {
    const out: Array<{ text: string; late: boolean }> = [];
    const h = HOSTS.indexOf(host);
    for (let i = 0; i < 12; i += 1) {
      const ms = chunk + i * 20_000 + h * 7;
      const text = auditLine(ms, `user${i % 3}`, i + h * 12);
      out.push({ text, late: i === 5 && (chunk / CHUNK_MS) % 3 === 0 });
      if (i === 2) out.push({ text, late: false }); // a genuinely repeated line: same bytes, twice
    }
    if ((chunk / CHUNK_MS) % 7 === 0) out.push({ text: `{"atype":"authenticate","ts":{"$date":"broken-${chunk}-${h}"}`, late: false });
    return out;
  };
  const access: Array<{ ms: number; entry: unknown }> = [];
  for (const chunk of chunks) {
    for (let i = 0; i < 9; i += 1) {
      const ms = chunk + 60_000 + Math.floor(i / 3); // three entries share each millisecond
      const logLine = `{"t":{"$date":"${new Date(ms).toISOString()}"},"s":"I",  "c":"ACCESS",   "id":20250,   "ctx":"conn${chunk / 1000 + i}","msg":"Authentication succeeded","attr":{"mechanism":"SCRAM-SHA-256","principalName":"user${i % 2}","authenticationDatabase":"admin","remote":"203.0.113.9:5${i}"}}`;
      access.push({ ms, entry: { authResult: true, authSource: 'admin', failureReason: null, groupId: PROJECT, hostname: HOSTS[0], ipAddress: '203.0.113.9', logLine, timestamp: new Date(ms).toUTCString(), username: `user${i % 2}` } });
    }
  }
  const events: Array<{ ms: number; doc: unknown }> = chunks
    .filter((_, i) => i % 4 === 0)
    .map((chunk, i) => ({ ms: chunk + 1000, doc: { id: (0x6a7940000000000000000000n + BigInt(i)).toString(16), created: new Date(chunk + 1000).toISOString().replace('.000Z', 'Z'), eventTypeName: 'MONGODB_USER_UPDATED', groupId: PROJECT, username: 'ops@example.com', userId: '5f0000000000000000000001', remoteAddress: '198.51.100.4', dbUserUsername: 'user1', isGlobalAdmin: false } }));
  const requests = { logs: 0, failed: 0 };

  return {
    requests,
    allAuditLines: (host) => chunks.flatMap((chunk) => linesOf(host, chunk).map((l) => ({ chunk, text: l.text }))),
    allAccessEntries: () => access.map((a) => a.entry),
    allEvents: () => events.map((e) => e.doc),
    async listOrgProjects() {
      return [];
    },
    async listProcesses(): Promise<DiscoveredProcess[]> {
      return HOSTS.map((hostname) => ({ hostname, typeName: 'REPLICA_SECONDARY', userAlias: hostname.replace('atlas-a', 'cluster0') }));
    },
    async listClusters() {
      return ['Cluster0'];
    },
    async downloadLog(_project, host, _logName, startS, endS) {
      requests.logs += 1;
      const now = options.now();
      if (options.failHost !== undefined && host === options.failHost.host && now < options.failHost.untilMs) {
        requests.failed += 1;
        throw new AppError('atlas request failed', { code: 'ATLAS_HTTP_ERROR', retryable: true, details: { status: 500 } });
      }
      const text: string[] = [];
      for (const chunk of chunks) {
        if (chunk + CHUNK_MS <= startS * 1000 || chunk > endS * 1000) continue;
        const published = chunk + CHUNK_MS + options.publishLagMs;
        if (now < published) continue;
        for (const line of linesOf(host, chunk)) if (!line.late || now >= published + options.lateDelayMs) text.push(`${line.text}\n`);
      }
      if (text.length === 0) return Buffer.alloc(0);
      // Two gzip members, as a concatenating server might send.
      const half = Math.floor(text.length / 2);
      const body = Buffer.concat([gzipSync(text.slice(0, half).join('')), gzipSync(text.slice(half).join(''))]);
      if (options.truncateHost !== undefined && host === options.truncateHost.host && now < options.truncateHost.untilMs) {
        requests.failed += 1;
        return body.subarray(0, body.length - 25);
      }
      return body;
    },
    async accessHistory(_project, _cluster, startMs, endMs, nLogs) {
      const now = options.now();
      return access
        .filter((a) => a.ms >= startMs && a.ms <= endMs && a.ms <= now)
        .sort((a, b) => b.ms - a.ms)
        .slice(0, nLogs)
        .map((a) => a.entry);
    },
    async events(_scope, minIso, maxIso) {
      const now = options.now();
      return events.filter((e) => e.ms >= Date.parse(minIso) && e.ms <= Date.parse(maxIso) && e.ms <= now).map((e) => e.doc);
    },
    async posture(_project, resource) {
      if (resource === 'databaseUsers') {
        const users = [{ username: 'user0', databaseName: 'admin', roles: [{ roleName: 'readWrite', databaseName: 'a' }], scopes: [] }];
        // A user appears 90 minutes in: the next snapshot's diff shows it once.
        if (options.now() >= options.startMs + 90 * 60_000) users.push({ username: 'intruder', databaseName: 'admin', roles: [{ roleName: 'root', databaseName: 'admin' }], scopes: [] });
        return users;
      }
      if (resource === 'auditLog') return { enabled: true, auditAuthorizationSuccess: false, configurationType: 'NONE' };
      throw new AppError('not found', { code: 'ATLAS_HTTP_ERROR', retryable: false, details: { status: 404 } });
    },
  };
}
