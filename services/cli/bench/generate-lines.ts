import { gzipSync } from 'node:zlib';

/**
 * Deterministic synthetic audit traffic for benchmarks: a realistic mix of agent noise,
 * authentications (some failing), authorisation checks with arguments, DDL and user admin,
 * in both JSON spacing styles.
 */
const base = Date.UTC(2025, 2, 4, 0, 0, 0);
const users = ['app_svc', 'report_ro', 'etl_job', 'dba_ops', 'mms-automation', 'mms-monitoring-agent'];
const uuid = (i: number): string => Buffer.from(`conn-${String(i % 100000).padStart(11, '0')}`).toString('base64');

/** The i-th synthetic audit line (no newline). */
export function auditLine(i: number): string {
  const ts = new Date(base + i * 7).toISOString().replace('Z', '+00:00');
  const user = users[i % users.length] ?? 'app_svc';
  const ip = `203.0.${(i >> 8) % 256}.${i % 256}`;
  const port = 30000 + (i % 30000);
  const head = `"ts":{"$date":"${ts}"},"uuid":{"$binary":"${uuid(i)}","$type":"04"},"local":{"ip":"192.168.240.12","port":27017},"remote":{"ip":"${ip}","port":${port}}`;
  switch (i % 10) {
    case 0:
    case 1:
      return `{"atype":"authenticate",${head},"users":[],"roles":[],"param":{"user":"${user}","db":"admin","mechanism":"SCRAM-SHA-256"},"result":${i % 20 === 1 ? 18 : 0}}`;
    case 2:
      return `{"atype":"clientMetadata",${head},"users":[],"roles":[],"param":{"localEndpoint":{"ip":"192.168.240.12","port":27017},"clientMetadata":{"driver":{"name":"nodejs","version":"6.8.0"},"os":{"type":"Linux","name":"linux","architecture":"x64","version":"5.15.0"},"platform":"Node.js v20.11.0, LE","application":{"name":"orders-api"}}},"result":0}`;
    case 3:
    case 4:
    case 5:
      return `{"atype":"authCheck",${head},"users":[{"user":"${user}","db":"admin"}],"roles":[{"role":"readWrite","db":"sales"}],"param":{"command":"find","ns":"sales.orders","args":{"find":"orders","filter":{"customer":"c${i % 977}","total":{"$gt":${i % 500}}},"limit":50,"$db":"sales"}},"result":${i % 50 === 3 ? 13 : 0}}`;
    case 6:
      return `{ "atype" : "logout", "ts" : { "$date" : "${ts}" }, "uuid" : { "$binary" : "${uuid(i)}", "$type" : "04" }, "local" : { "ip" : "192.168.240.12", "port" : 27017 }, "remote" : { "ip" : "${ip}", "port" : ${port} }, "users" : [], "roles" : [], "param" : { "reason" : "Implicit logout due to client connection closure", "initialUsers" : [ { "user" : "${user}", "db" : "admin" } ], "updatedUsers" : [] }, "result" : 0 }`;
    case 7:
      return `{"atype":"createCollection",${head},"users":[{"user":"${user}","db":"admin"}],"roles":[{"role":"dbAdmin","db":"sales"}],"param":{"ns":"sales.tmp_${i % 1000}"},"result":${i % 30 === 7 ? 48 : 0}}`;
    case 8:
      return `{"atype":"grantRolesToUser",${head},"users":[{"user":"dba_ops","db":"admin"}],"roles":[{"role":"userAdminAnyDatabase","db":"admin"}],"param":{"user":"${user}","db":"admin","roles":[{"role":"readWrite","db":"sales"}]},"result":0}`;
    default:
      return `{ "atype" : "authenticate", "ts" : { "$date" : "${ts}" }, "local" : { "ip" : "127.0.0.1", "port" : 27017 }, "remote" : { "ip" : "127.0.0.1", "port" : ${port} }, "users" : [], "roles" : [], "param" : { "user" : "__system", "db" : "local", "mechanism" : "SCRAM-SHA-256" }, "result" : 0 }`;
  }
}

/**
 * The first `lines` synthetic lines as gzip members of `linesPerMember` lines each (one download
 * window each, as Atlas serves them), with the uncompressed size.
 */
export function gzippedAuditMembers(lines: number, linesPerMember: number): { members: Buffer[]; rawBytes: number } {
  const members: Buffer[] = [];
  let rawBytes = 0;
  for (let start = 0; start < lines; start += linesPerMember) {
    const parts: string[] = [];
    for (let i = start; i < Math.min(lines, start + linesPerMember); i++) parts.push(auditLine(i));
    const text = `${parts.join('\n')}\n`;
    rawBytes += Buffer.byteLength(text);
    members.push(gzipSync(text));
  }
  return { members, rawBytes };
}
