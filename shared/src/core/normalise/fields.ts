import type { AtlasEvent } from '../../schema/event.ts';
import { CLOUD_PROVIDER } from '../../schema/event.ts';
import type { NormaliseContext } from './context.ts';

/** Small readers over untrusted parsed JSON: they return undefined instead of throwing. */
export type Json = Record<string, unknown>;

/** The value as a plain object, or undefined. */
export function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The value if it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The value if it is a non-empty string, else undefined. */
export function asNonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The value if it is a safe integer (-0 read as 0, so it serialises as it compares), else undefined. */
export function asInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value + 0 : undefined;
}

/** A TCP port (0–65535) or undefined. */
export function asPort(value: unknown): number | undefined {
  const port = asInt(value);
  return port !== undefined && port >= 0 && port <= 65535 ? port : undefined;
}

/** `[{role,db}]` or `[{user,db}]` or strings as `name@db` strings; anything else is skipped. */
export function formatNamed(value: unknown, nameKey: 'role' | 'user'): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const entry = asObject(item);
    const name = entry === undefined ? undefined : asString(entry[nameKey]);
    if (name === undefined || entry === undefined) continue;
    const db = asString(entry['db']);
    out.push(db === undefined ? name : `${name}@${db}`);
  }
  return out;
}

/** Deduplicates, keeping the order of first appearance and skipping undefined/empty. */
export function unique(values: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const value of values) if (value !== undefined && value.length > 0 && !out.includes(value)) out.push(value);
  return out;
}

/** `cloud.*` from the context, with data-given project/org taking precedence. */
export function cloudFields(context: NormaliseContext, project?: string, org?: string): AtlasEvent['cloud'] {
  const cloud: AtlasEvent['cloud'] = { provider: CLOUD_PROVIDER };
  const accountId = org ?? context.org;
  const projectId = project ?? context.project;
  if (accountId !== undefined && accountId.length > 0) cloud.account = { id: accountId };
  if (projectId !== undefined && projectId.length > 0) cloud.project = { id: projectId };
  if (context.region !== undefined) cloud.region = context.region;
  return cloud;
}

/** Short text of a caught value, for reasons. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
}

/** Splits "ip:port" / "[v6]:port" into parts. */
export function splitHostPort(text: string): { ip: string; port?: number } {
  const v6 = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  if (v6 !== null) return withPort(v6[1] ?? '', v6[2]);
  const colon = text.lastIndexOf(':');
  if (colon > 0 && text.indexOf(':') === colon) return withPort(text.slice(0, colon), text.slice(colon + 1));
  return { ip: text };
}

function withPort(ip: string, port: string | undefined): { ip: string; port?: number } {
  const value = port === undefined || !/^\d{1,5}$/.test(port) ? undefined : Number(port);
  return value !== undefined && value <= 65535 ? { ip, port: value } : { ip };
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv6 = /^[0-9A-Fa-f:]{2,39}$|^[0-9A-Fa-f:]{2,29}:(\d{1,3}\.){3}\d{1,3}$/;

/**
 * True when `text` is an IPv4 or IPv6 address literal (what an ECS `ip` field accepts). Anything
 * else (host names, unix sockets, garbage) must go to an `address` field instead.
 */
export function isIp(text: string): boolean {
  if (ipv4.test(text)) return true;
  if (!text.includes(':') || !ipv6.test(text)) return false;
  const doubleColons = text.split('::').length - 1;
  if (doubleColons > 1) return false;
  const groups = text.split(':').filter((group) => group.length > 0 && !group.includes('.'));
  return groups.every((group) => group.length <= 4) && (doubleColons === 1 || groups.length + (text.includes('.') ? 2 : 0) === 8);
}
