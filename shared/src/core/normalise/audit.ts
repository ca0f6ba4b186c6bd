import type { AtlasEvent } from '../../schema/event.ts';
import { jsonErrorReason } from '../json-error.ts';
import { EVENT_MODULE, SCHEMA_VERSION } from '../../schema/event.ts';
import type { Result } from '../../result.ts';
import { fail, ok } from '../../result.ts';
import { mapAtype } from '../atype-map.ts';
import { coordinatePrefix, createDigestCounter, eventIdFromDigest, recordDigest } from '../event-id.ts';
import { resultCodeName } from '../result-codes.ts';
import { defaultSanitisePolicy, sanitiseParam } from '../sanitise.ts';
import { parseExtendedDate, rawDateText } from '../timestamp.ts';
import type { NormaliseContext } from './context.ts';
import type { Json } from './fields.ts';
import { asInt, asNonEmpty, asObject, asPort, asString, cloudFields, describeError, formatNamed, isIp, unique } from './fields.ts';

/** The line Atlas writes instead of data for an empty or unreachable window. */
export const NO_DATA_MARKER = 'No data for given time period or host is unreachable';

/**
 * Normalises one raw audit line (bytes or text). `occurrence` is its index among byte-identical
 * lines of the window; when omitted, the normaliser counts it itself, treating every line it
 * has seen as one window.
 */
export type AuditLineNormaliser = ((line: string | Uint8Array, occurrence?: number, digest?: string) => Result<AtlasEvent>) & {
  /**
   * The line's record digest (coordinates and bytes, a trailing CR ignored), the key its
   * occurrence is counted by (createDigestCounter). A caller that needs the index before or
   * without normalising (dead letters) counts the digest itself and passes both to the
   * normaliser, so the line is hashed once.
   */
  digest(line: string | Uint8Array): string;
};

/** The reasons for lines that hold no record by design (not malformed input). */
export const BLANK_LINE_REASON = 'blank line';
export const NO_DATA_REASON = 'no-data marker';

const userAtypes = new Set(['createUser', 'updateUser', 'dropUser', 'grantRolesToUser', 'revokeRolesFromUser']);
const roleAtypes = new Set(['createRole', 'updateRole', 'dropRole', 'grantRolesToRole', 'revokeRolesFromRole', 'grantPrivilegesToRole', 'revokePrivilegesFromRole']);

/** The line without a trailing CR (CRLF files): neither the id nor the parse sees it. */
function withoutCr(line: string | Uint8Array): string | Uint8Array {
  if (typeof line === 'string') return line.endsWith('\r') ? line.slice(0, -1) : line;
  return line[line.length - 1] === 13 ? line.subarray(0, line.length - 1) : line;
}

function decode(line: string | Uint8Array): string {
  if (typeof line === 'string') return line;
  return Buffer.isBuffer(line) ? line.toString() : Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString('utf8');
}

const base64Values = new Int8Array(128).fill(-1);
for (const [index, char] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) base64Values[char.charCodeAt(0)] = index;
const hexCodes = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
// Written in place and read out as one flat string: appending 20 pieces would give a rope
// that JSON.stringify must flatten again, costing about as much as the decoding itself.
const uuidScratch = Buffer.alloc(36);

/** Decodes 24 base64 characters holding 16 bytes straight to UUID text (hot path: one per line). */
function uuidFromBase64(text: string): string | undefined {
  if (text.length !== 24 || text.charCodeAt(22) !== 61 || text.charCodeAt(23) !== 61) return undefined;
  let bits = 0;
  let bitCount = 0;
  let pos = 0;
  for (let i = 0; i < 22; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (base64Values[code] ?? -1) : -1;
    if (value < 0) return undefined;
    // Only the low bitCount (< 14) bits are ever read: keep 24 so the int stays small.
    bits = ((bits << 6) | value) & 0xffffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      const byte = (bits >> bitCount) & 0xff;
      if (pos === 8 || pos === 13 || pos === 18 || pos === 23) uuidScratch[pos++] = 45;
      uuidScratch[pos++] = hexCodes[byte >> 4] ?? 48;
      uuidScratch[pos++] = hexCodes[byte & 15] ?? 48;
    }
  }
  // 22 characters carry 132 bits: the 4 left over must be zero in canonical base64.
  return (bits & ((1 << bitCount) - 1)) === 0 ? uuidScratch.toString('latin1', 0, 36) : undefined;
}

/** `{"$binary":"<b64>","$type":"04"}` or canonical `{"$binary":{"base64":…}}` as a UUID string. */
function connectionUuid(value: unknown): string | undefined {
  const binary = asObject(value)?.['$binary'];
  const base64 = typeof binary === 'string' ? binary : asString(asObject(binary)?.['base64']);
  return base64 === undefined ? undefined : uuidFromBase64(base64);
}

type Endpoint = { ip?: string; port?: number; address?: string; unix?: string; isSystemUser?: boolean };

function endpoint(value: unknown): Endpoint {
  const obj = asObject(value);
  if (obj === undefined) return {};
  const out: Endpoint = {};
  const ip = asNonEmpty(obj['ip']);
  const port = asPort(obj['port']);
  const unix = asNonEmpty(obj['unix']);
  if (ip !== undefined && isIp(ip)) out.ip = ip;
  else if (ip !== undefined) out.address = ip;
  if (port !== undefined) out.port = port;
  if (unix !== undefined) {
    out.unix = unix;
    out.address = unix;
  }
  if (obj['isSystemUser'] === true) out.isSystemUser = true;
  return out;
}

function side(point: Endpoint): AtlasEvent['source'] | undefined {
  if (point.ip === undefined && point.address === undefined) return undefined;
  const out: NonNullable<AtlasEvent['source']> = {};
  if (point.ip !== undefined) out.ip = point.ip;
  if (point.port !== undefined) out.port = point.port;
  if (point.address !== undefined) out.address = point.address;
  return out;
}

function firstUser(users: unknown): { name: string; db?: string } | undefined {
  if (!Array.isArray(users)) return undefined;
  for (const item of users) {
    const obj = asObject(item);
    const name = obj === undefined ? undefined : asString(obj['user']);
    if (name !== undefined && obj !== undefined) {
      const db = asString(obj['db']);
      return db === undefined ? { name } : { name, db };
    }
  }
  return undefined;
}

function buildUser(doc: Json, atype: string, param: Json | undefined, roles: string[]): AtlasEvent['user'] {
  let actor = firstUser(doc['users']);
  if (atype === 'authenticate' && param !== undefined) {
    const name = asString(param['user']);
    const db = asString(param['db']);
    if (name !== undefined) actor = db === undefined ? { name } : { name, db };
  } else if (actor === undefined && atype === 'logout' && param !== undefined) {
    actor = firstUser(param['initialUsers']);
  }
  let target: NonNullable<AtlasEvent['user']>['target'];
  if (userAtypes.has(atype) && param !== undefined) {
    const name = asString(param['user']);
    if (name !== undefined) {
      target = { name };
      const db = asString(param['db']);
      if (db !== undefined) target.domain = db;
      if (param['roles'] !== undefined) target.roles = formatNamed(param['roles'], 'role');
    }
  }
  if (actor === undefined && target === undefined) return undefined;
  const user: NonNullable<AtlasEvent['user']> = { name: actor?.name ?? '' };
  if (actor?.db !== undefined) user.domain = actor.db;
  if (actor !== undefined && atype !== 'authenticate' && roles.length > 0) user.roles = roles;
  if (target !== undefined) user.target = target;
  return user;
}

function normaliseDoc(digest: string, text: string, occurrence: number, context: NormaliseContext): Result<AtlasEvent> {
  if (text.trim().length === 0) return fail(BLANK_LINE_REASON);
  if (text === NO_DATA_MARKER) return fail(NO_DATA_REASON);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return fail(`invalid JSON: ${jsonErrorReason(err)}`);
  }
  const doc = asObject(parsed);
  if (doc === undefined) return fail('not a JSON object');
  const atype = asNonEmpty(doc['atype']);
  if (atype === undefined) return fail('missing atype');
  const dateValue = asObject(doc['ts'])?.['$date'];
  const timestamp = parseExtendedDate(dateValue);
  if (!timestamp.ok) return fail(`ts: ${timestamp.reason}`);

  const mapping = mapAtype(atype);
  const resultCode = asInt(doc['result']);
  const outcome = resultCode === undefined ? 'unknown' : resultCode === 0 ? 'success' : 'failure';
  const param = asObject(doc['param']);
  const remote = endpoint(doc['remote']);
  const local = endpoint(doc['local']);
  const roles = formatNamed(doc['roles'], 'role');
  const user = buildUser(doc, atype, param, roles);

  const event = {
    id: eventIdFromDigest(digest, occurrence),
    kind: 'event',
    // Copies: events are handed to other code, the mapping table must stay untouched.
    category: [...mapping.category],
    type: [...(outcome === 'failure' && mapping.failureType !== undefined ? mapping.failureType : mapping.type)],
    action: atype,
    outcome,
  } as AtlasEvent['event'];
  if (resultCode !== undefined) event.code = String(resultCode);
  if (resultCode !== undefined && resultCode !== 0) event.reason = resultCodeName(resultCode);
  event.dataset = 'atlas.audit';
  event.module = EVENT_MODULE;

  // Keys are set in schema order (shared/src/schema/event.ts), optional ones only when present:
  // the event is then already what the schema's parser would return, so `checkEvent` can
  // validate it in place and it serialises to the same bytes (test/normalise-canonical.test.ts).
  const out = { schema_version: SCHEMA_VERSION, '@timestamp': timestamp.value, event } as AtlasEvent;
  if (user !== undefined) out.user = user;
  if (roleAtypes.has(atype) && param !== undefined) {
    const role = asString(param['role']);
    if (role !== undefined) {
      const db = asString(param['db']);
      out.group = db === undefined ? { name: role } : { name: role, domain: db };
    }
  }
  const source = side(remote);
  if (source !== undefined) out.source = source;
  const server = side(local);
  if (server !== undefined) out.server = server;
  if (context.host !== undefined && context.host.length > 0) out.host = { name: context.host };
  if (context.cluster !== undefined && context.cluster.length > 0) out.service = { name: context.cluster, type: 'mongodb' };
  out.cloud = cloudFields(context);
  const intermediates = Array.isArray(doc['intermediates']) ? doc['intermediates'].map((hop) => endpoint(hop).ip) : [];
  out.related = { ip: unique([remote.ip, ...intermediates, local.ip]), user: unique([user?.name, user?.target?.name]) };

  const atlas: AtlasEvent['atlas'] = { atype } as AtlasEvent['atlas'];
  out.atlas = atlas;
  const sanitised = sanitiseParam(param, context.sanitise ?? defaultSanitisePolicy);
  if (sanitised !== undefined) atlas.param = sanitised;
  if (resultCode !== undefined) atlas.result = { code: resultCode, name: resultCodeName(resultCode) };
  const uuid = connectionUuid(doc['uuid']);
  if (uuid !== undefined) atlas.connection_uuid = uuid;
  if (remote.isSystemUser === true || local.isSystemUser === true) atlas.is_system_user = true;
  else if (remote.ip !== undefined || remote.unix !== undefined) atlas.is_system_user = false;
  if (atype === 'authenticate' && param !== undefined) {
    const mechanism = asString(param['mechanism']);
    if (mechanism !== undefined) atlas.mechanism = mechanism;
    const db = asString(param['db']);
    if (db !== undefined) atlas.auth_source = db;
  }
  if (context.logName !== undefined && context.logName.length > 0) atlas.log_name = context.logName;
  const rawTs = rawDateText(dateValue);
  if (rawTs !== undefined) atlas.raw_timestamp = rawTs;
  const socket = remote.unix ?? local.unix;
  if (socket !== undefined) atlas.unix_socket = socket;
  const users = formatNamed(doc['users'], 'user');
  if (users.length > 0) atlas.users = users;
  if (roles.length > 0) atlas.roles = [...roles];
  atlas.source_coordinates = coordinates(context, occurrence);
  return ok(out);
}

function coordinates(context: NormaliseContext, occurrence: number): AtlasEvent['atlas']['source_coordinates'] {
  // Schema order: project, org, host, log_name, endpoint, occurrence.
  const out = {} as AtlasEvent['atlas']['source_coordinates'];
  if (context.project !== undefined && context.project.length > 0) out.project = context.project;
  if (context.host !== undefined && context.host.length > 0) out.host = context.host;
  if (context.logName !== undefined && context.logName.length > 0) out.log_name = context.logName;
  out.occurrence = occurrence;
  return out;
}

/**
 * Creates the audit-line normaliser for one download window (fixed context). Each call turns a
 * line of the mongo audit schema into one event, or a reason for a blank, non-JSON or
 * malformed line. Never throws; the same line, context and occurrence always give the same event.
 */
export function createAuditNormaliser(context: NormaliseContext): AuditLineNormaliser {
  // '' counts as absent, here as in the event, so that '' and undefined give the same ids.
  const prefix = coordinatePrefix({ project: asNonEmpty(context.project), host: asNonEmpty(context.host), logName: asNonEmpty(context.logName) });
  const counter = createDigestCounter();
  const digestOf = (line: string | Uint8Array): string => recordDigest(prefix, withoutCr(line));
  const normalise = (line: string | Uint8Array, occurrence?: number, digest?: string): Result<AtlasEvent> => {
    try {
      const raw = withoutCr(line);
      const known = digest ?? recordDigest(prefix, raw);
      return normaliseDoc(known, decode(raw), occurrence ?? counter.next(known), context);
    } catch (err) {
      return fail(`internal: ${describeError(err)}`);
    }
  };
  return Object.assign(normalise, { digest: digestOf });
}

/** One-off form of createAuditNormaliser. */
export function normaliseAuditLine(line: string | Uint8Array, occurrence: number, context: NormaliseContext): Result<AtlasEvent> {
  return createAuditNormaliser(context)(line, occurrence);
}
