import type { ActivityRecord } from './activity.ts';
import { mongoDate } from './audit-render.ts';

/**
 * mongod/mongos structured log lines (the `mongodb`/`mongos` logs and access-history `logLine`),
 * with mongod's padding after `s`, `c` and `id`: `"s":"I",  "c":"ACCESS",   "id":20250,   "ctx":…`.
 */

function pad(fieldText: string, width: number): string {
  return fieldText.length >= width ? `${fieldText} ` : fieldText.padEnd(width, ' ');
}

/** One structured log line. */
export function renderLogLine(t: number, component: string, id: number, ctx: string, msg: string, attr: Record<string, unknown>): string {
  return `{"t":{"$date":"${mongoDate(t)}"},${pad('"s":"I",', 10)}${pad(`"c":"${component}",`, 16)}${pad(`"id":${id},`, 14)}"ctx":${JSON.stringify(ctx)},"msg":${JSON.stringify(msg)},"attr":${JSON.stringify(attr)}}`;
}

/** The canonical 8-4-4-4-12 text of a base64 UUID (as mongod's `$uuid` shows it). */
export function uuidText(base64: string): string {
  const hex = Buffer.from(base64, 'base64').toString('hex').padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The failure text mongod logs for an authenticate result code. */
export function authFailureText(record: ActivityRecord): string {
  const param = record.param as { user?: string; db?: string };
  if (record.result === 11) return `UserNotFound: Could not find user "${param.user ?? ''}" for db "${param.db ?? ''}"`;
  if (record.result === 18) return 'AuthenticationFailed: SCRAM authentication failed, storedKey mismatch';
  return `AuthenticationFailed: error code ${record.result}`;
}

/** The 20250/20249 line for an authenticate record (20429 for a successful X.509 login). */
export function renderAuthLogLine(record: ActivityRecord): string {
  const param = record.param as { user?: string; db?: string; mechanism?: string };
  const remote = record.remote === null ? 'system' : `${record.remote.ip}:${record.remote.port}`;
  const attr: Record<string, unknown> = { mechanism: param.mechanism, speculative: true, principalName: param.user, authenticationDatabase: param.db, remote, extraInfo: {} };
  if (record.result === 0 && param.mechanism === 'MONGODB-X509') {
    return renderLogLine(record.t, 'ACCESS', 20429, `conn${record.conn}`, 'Successfully authenticated', { client: remote, isSpeculative: false, isClusterMember: false, mechanism: 'MONGODB-X509', user: param.user, db: param.db });
  }
  if (record.result === 0) return renderLogLine(record.t, 'ACCESS', 20250, `conn${record.conn}`, 'Authentication succeeded', attr);
  return renderLogLine(record.t, 'ACCESS', 20249, `conn${record.conn}`, 'Authentication failed', { ...attr, error: authFailureText(record) });
}

/** Server-log lines for a record: connection accepted + client metadata, auth, connection ended; others none. */
export function renderServerLogLines(record: ActivityRecord): string[] {
  const remote = record.remote === null ? 'system' : `${record.remote.ip}:${record.remote.port}`;
  const ctx = `conn${record.conn}`;
  switch (record.atype) {
    case 'clientMetadata':
      return [
        renderLogLine(record.t, 'NETWORK', 22943, 'listener', 'Connection accepted', { remote, uuid: { uuid: { $uuid: uuidText(record.uuid) } }, connectionId: record.conn, connectionCount: 42 }),
        renderLogLine(record.t, 'NETWORK', 51800, ctx, 'client metadata', { remote, client: ctx, doc: (record.param as { clientMetadata?: unknown }).clientMetadata }),
      ];
    case 'authenticate':
      return [renderAuthLogLine(record)];
    case 'logout':
      return [renderLogLine(record.t, 'NETWORK', 22944, ctx, 'Connection ended', { remote, uuid: { uuid: { $uuid: uuidText(record.uuid) } }, connectionId: record.conn, connectionCount: 41 })];
    default:
      return [];
  }
}
