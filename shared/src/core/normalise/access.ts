import type { AtlasEvent } from '../../schema/event.ts';
import { EVENT_MODULE, SCHEMA_VERSION } from '../../schema/event.ts';
import type { Result } from '../../result.ts';
import { fail, ok } from '../../result.ts';
import { computeEventId } from '../event-id.ts';
import { parseAnyTimestamp, parseExtendedDate } from '../timestamp.ts';
import type { NormaliseContext } from './context.ts';
import type { Json } from './fields.ts';
import { asInt, asNonEmpty, asObject, asString, cloudFields, describeError, isIp, splitHostPort, unique } from './fields.ts';

/** The endpoint name in source coordinates: the same for the cluster and the process variants. */
export const ACCESS_ENDPOINT = 'dbAccessHistory';

/**
 * The bytes an access-history entry is identified by: its raw mongod `logLine` when present,
 * else its JSON. Feed these to an occurrence counter per response body.
 */
export function accessEntryRawKey(entry: unknown): string {
  const logLine = asObject(entry)?.['logLine'];
  if (typeof logLine === 'string' && logLine.length > 0) return logLine;
  try {
    return JSON.stringify(entry) ?? 'undefined';
  } catch {
    return String(entry);
  }
}

function parseLogLine(text: string | undefined): Json | undefined {
  if (text === undefined) return undefined;
  try {
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The error code name at the start of a mongod error text, e.g. "UserNotFound: …" → "UserNotFound". */
function errorName(text: string | undefined): string | undefined {
  const match = text === undefined ? null : /^([A-Za-z]+):/.exec(text);
  return match?.[1];
}

function build(entry: Json, occurrence: number, context: NormaliseContext): Result<AtlasEvent> {
  const authResult = entry['authResult'];
  if (typeof authResult !== 'boolean') return fail('authResult missing or not a boolean');
  const logLineText = asNonEmpty(entry['logLine']);
  const logLine = parseLogLine(logLineText);
  const attr = asObject(logLine?.['attr']);
  const rawTimestamp = asString(entry['timestamp']);
  let timestamp = parseExtendedDate(asObject(logLine?.['t'])?.['$date']);
  if (!timestamp.ok && rawTimestamp !== undefined) timestamp = parseAnyTimestamp(rawTimestamp);
  if (!timestamp.ok) return fail(`timestamp: ${timestamp.reason}`);

  const username = asString(entry['username']) ?? asString(attr?.['principalName']) ?? asString(attr?.['user']);
  const authSource = asString(entry['authSource']) ?? asString(attr?.['authenticationDatabase']) ?? asString(attr?.['db']);
  const failureReason = asNonEmpty(entry['failureReason']) ?? (authResult ? undefined : asNonEmpty(attr?.['error']));
  const host = asNonEmpty(entry['hostname']) ?? asNonEmpty(context.host);
  const project = asNonEmpty(entry['groupId']) ?? asNonEmpty(context.project);
  const remoteText = asString(attr?.['remote']) ?? asString(attr?.['client']);
  const remote = remoteText === undefined ? undefined : splitHostPort(remoteText);
  const ipText = asNonEmpty(entry['ipAddress']) ?? remote?.ip;
  const ip = ipText !== undefined && isIp(ipText) ? ipText : undefined;
  const mechanism = asString(attr?.['mechanism']);
  const logId = asInt(logLine?.['id']);
  const outcome = authResult ? 'success' : 'failure';

  const event: AtlasEvent['event'] = {
    id: computeEventId({ project, host, endpoint: ACCESS_ENDPOINT }, accessEntryRawKey(entry), occurrence),
    kind: 'event',
    category: ['authentication'],
    type: ['start'],
    action: 'authenticate',
    outcome,
    dataset: 'atlas.access',
    module: EVENT_MODULE,
  };
  if (logId !== undefined) event.code = String(logId);
  if (failureReason !== undefined) event.reason = errorName(failureReason) ?? failureReason;

  const out: AtlasEvent = {
    schema_version: SCHEMA_VERSION,
    '@timestamp': timestamp.value,
    event,
    cloud: cloudFields(context, project),
    related: { ip: unique([ip]), user: unique([username]) },
    atlas: { source_coordinates: { occurrence } },
  };
  if (username !== undefined) out.user = authSource === undefined ? { name: username } : { name: username, domain: authSource };
  if (ip !== undefined) {
    out.source = { ip };
    if (remote?.port !== undefined && remote.ip === ip) out.source.port = remote.port;
  } else if (ipText !== undefined) out.source = { address: ipText };
  if (host !== undefined) out.host = { name: host };
  if (context.cluster !== undefined && context.cluster.length > 0) out.service = { name: context.cluster, type: 'mongodb' };
  if (mechanism !== undefined) out.atlas.mechanism = mechanism;
  if (authSource !== undefined) out.atlas.auth_source = authSource;
  if (failureReason !== undefined) out.atlas.failure_reason = failureReason;
  if (rawTimestamp !== undefined) out.atlas.raw_timestamp = rawTimestamp;
  if (logId !== undefined) out.atlas.log_id = logId;
  const coordinates: AtlasEvent['atlas']['source_coordinates'] = { occurrence, endpoint: ACCESS_ENDPOINT };
  if (project !== undefined) coordinates.project = project;
  if (host !== undefined) coordinates.host = host;
  out.atlas.source_coordinates = coordinates;
  return ok(out);
}

/**
 * Normalises one `dbAccessHistory` entry (an element of `accessLogs`) into an authentication
 * event; time comes from `logLine.t.$date` (ms) when it parses, else from `timestamp` (ISO or
 * Java date). Anything unusable yields a reason. Never throws.
 */
export function normaliseAccessEntry(entry: unknown, occurrence: number, context: NormaliseContext): Result<AtlasEvent> {
  try {
    const obj = asObject(entry);
    if (obj === undefined) return fail('access entry is not an object');
    return build(obj, occurrence, context);
  } catch (err) {
    return fail(`internal: ${describeError(err)}`);
  }
}
