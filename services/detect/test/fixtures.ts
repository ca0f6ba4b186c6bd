import { createHash } from 'node:crypto';
import { atlasEventSchema, type AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { JsonObject, JsonValue } from '@atlas-audit/shared/schema/json-value';
import { compileConfig, type CompiledConfig } from '../src/core/config/compile.ts';
import { parseRulesConfig } from '../src/core/config/load.ts';
import { createEngine, type Engine } from '../src/core/engine.ts';
import { createMemoryState, type MemoryState } from '../src/core/state/memory.ts';
import type { Alert } from '@atlas-audit/shared/schema/alert';

export const PROJECT = '65f0c0ffee0ddba11ab1e5e1';
export const ORG = '5f0c0ffee0ddba11ab1e5e10';
export const HOST = 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net';

/**
 * Rules whose subjects are per principal, so the alerts do not depend on how principals are
 * spread over Kafka partitions: what the multi-replica and fault tests compare against the
 * engine run offline.
 */
export const perPrincipalRulesYaml = `
rules:
  auth-failure-burst: { distinctUsersPerPrefix: 100000 }
  audit-impaired: { enabled: false }
  network-exposure: { enabled: false }
  mfa-idp-tampering: { enabled: false }
  new-credential: { enabled: false }
  external-principal: { enabled: false }
  side-door-access: { enabled: false }
  posture-auditing-off: { enabled: false }
  posture-access-list-open: { enabled: false }
  posture-privileged-users: { enabled: false }
  posture-no-maintenance-window: { enabled: false }
  posture-encryption-no-cmk: { enabled: false }
`;

let counter = 0;
function idOf(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

type Common = { at: string; id?: string; project?: string; ip?: string };

function base(dataset: AtlasEvent['event']['dataset'], action: string, outcome: AtlasEvent['event']['outcome'], c: Common, seed: string): AtlasEvent {
  const project = c.project ?? PROJECT;
  return {
    schema_version: '1',
    '@timestamp': new Date(c.at).toISOString(),
    event: {
      id: c.id ?? idOf(`${seed}|${c.at}|${counter++}`),
      kind: dataset === 'atlas.posture' ? 'state' : 'event',
      category: ['database'],
      type: ['info'],
      action,
      outcome,
      dataset,
      module: 'mongodb_atlas',
    },
    cloud: { provider: 'mongodb_atlas', account: { id: ORG }, project: { id: project } },
    related: { ip: c.ip === undefined ? [] : [c.ip], user: [] },
    atlas: { source_coordinates: { project, occurrence: 0 } },
  };
}

/** A database access-history entry (successful or failed authentication). */
export function access(user: string, ip: string, at: string, opts: { ok?: boolean; id?: string; project?: string; roles?: string[]; host?: string } = {}): AtlasEvent {
  const e = base('atlas.access', 'authenticate', opts.ok === false ? 'failure' : 'success', { at, ip, ...opts }, `access|${user}|${ip}`);
  return { ...e, user: { name: user, domain: 'admin', ...(opts.roles ? { roles: opts.roles } : {}) }, source: { ip }, host: { name: opts.host ?? HOST }, atlas: { ...e.atlas, auth_source: 'admin', mechanism: 'SCRAM-SHA-256' } };
}

/** A mongod audit line. */
export function audit(atype: string, user: string, at: string, opts: { ip?: string; param?: JsonObject; roles?: string[]; result?: number; id?: string; project?: string; system?: boolean; host?: string } = {}): AtlasEvent {
  const ip = opts.ip ?? '203.0.113.45';
  const e = base('atlas.audit', atype, (opts.result ?? 0) === 0 ? 'success' : 'failure', { at, ip, ...opts }, `audit|${atype}|${user}`);
  return {
    ...e,
    user: { name: user, domain: 'admin', ...(opts.roles ? { roles: opts.roles } : {}) },
    source: { ip },
    host: { name: opts.host ?? HOST },
    atlas: {
      ...e.atlas,
      atype,
      ...(opts.param ? { param: opts.param } : {}),
      result: { code: opts.result ?? 0, name: (opts.result ?? 0) === 0 ? 'OK' : 'Error' },
      ...(opts.roles ? { roles: opts.roles } : {}),
      ...(opts.system ? { is_system_user: true } : {}),
      log_name: 'mongodb-audit-log',
    },
  };
}

/** An Atlas project/org activity event. */
export function activity(type: string, user: string, at: string, opts: { ip?: string; target?: string; targetRoles?: string[]; entry?: string; id?: string; project?: string; extra?: Record<string, string> } = {}): AtlasEvent {
  const e = base('atlas.activity', type, 'success', { at, ...opts }, `activity|${type}|${user}`);
  return {
    ...e,
    user: { name: user, domain: 'atlas', ...(opts.target !== undefined ? { target: { name: opts.target, ...(opts.targetRoles ? { roles: opts.targetRoles } : {}) } } : {}) },
    ...(opts.ip !== undefined ? { source: { ip: opts.ip } } : {}),
    atlas: {
      ...e.atlas,
      event_type: type,
      activity: { id: idOf(`act|${counter}`).slice(0, 24), ...(opts.entry !== undefined ? { access_list_entry: opts.entry } : {}), ...(opts.target !== undefined ? { target_username: opts.target } : {}), ...(opts.extra ?? {}) },
    },
  };
}

type PostureKind = NonNullable<AtlasEvent['atlas']['snapshot']>['kind'];

/** A posture snapshot (state) event. */
export function snapshot(kind: PostureKind, resource: string, state: JsonObject, at: string, opts: { project?: string; id?: string } = {}): AtlasEvent {
  const e = base('atlas.posture', `${kind}_state`, 'unknown', { at, ...opts }, `snap|${kind}|${resource}`);
  return { ...e, atlas: { ...e.atlas, snapshot: { kind, resource, state } } };
}

/** A posture diff event. */
export function diff(kind: PostureKind, change: 'added' | 'removed' | 'changed', resource: string, before: JsonValue | undefined, after: JsonValue | undefined, at: string, opts: { project?: string } = {}): AtlasEvent {
  const e = base('atlas.posture', `${kind}_${change}`, 'unknown', { at, ...opts }, `diff|${kind}|${resource}`);
  return { ...e, event: { ...e.event, kind: 'event' }, atlas: { ...e.atlas, diff: { kind: change, resource_type: kind, resource, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) } } };
}

/** Compiles a rules YAML (or the defaults) and throws on invalid config. */
export function configOf(yaml?: string): CompiledConfig {
  const parsed = parseRulesConfig(yaml, 'test rules');
  if (!parsed.ok) throw new Error(parsed.reason);
  return compileConfig(parsed.value);
}

export type Harness = { engine: Engine; state: MemoryState; run(events: readonly AtlasEvent[]): Alert[] };

/** An engine over fresh in-memory state; `run` validates every fixture against the event schema first. */
export function harness(yaml?: string, state: MemoryState = createMemoryState()): Harness {
  const engine = createEngine(configOf(yaml), state);
  return {
    engine,
    state,
    run(events) {
      const out: Alert[] = [];
      for (const e of events) {
        const checked = atlasEventSchema.safeParse(e);
        if (!checked.success) throw new Error(`fixture is not a valid event: ${checked.error.message}`);
        out.push(...engine.evaluate(e));
      }
      return out;
    },
  };
}

/** Alerts of one rule. */
export function ofRule(alerts: readonly Alert[], ruleId: string): Alert[] {
  return alerts.filter((a) => a.rule.id === ruleId);
}

/** Only `ruleId` enabled, plus optional YAML for that rule's block (indented under it). */
export function only(ruleId: string, ruleYaml = '', globalYaml = ''): string {
  const ids = ['unexpected-role', 'off-hours-admin', 'new-ip', 'auth-failure-burst', 'brute-force-success', 'authz-failure-burst', 'network-exposure', 'audit-impaired', 'mfa-idp-tampering', 'new-credential', 'external-principal', 'destructive-operation', 'dormant-account', 'side-door-access', 'posture-auditing-off', 'posture-access-list-open', 'posture-privileged-users', 'posture-no-maintenance-window', 'posture-encryption-no-cmk'];
  const blocks = ids.map((id) => (id === ruleId ? `  ${id}:\n    enabled: true\n${ruleYaml.split('\n').filter((l) => l.trim() !== '').map((l) => `    ${l}`).join('\n')}` : `  ${id}:\n    enabled: false`));
  return `${globalYaml}\nrules:\n${blocks.join('\n')}\n`;
}
