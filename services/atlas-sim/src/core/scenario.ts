import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fail, ok, type Result } from '@atlas-audit/shared/result';
import { resolveRelativeTimes } from './relative-time.ts';

/**
 * The scenario file: who exists (orgs, projects, clusters, database users), how they behave
 * (working hours, time zones, source IPs, rates), how loud the Atlas agents are, and which
 * attacks happen when. See docs/atlas-sim.md for the format.
 */

const hexId = z.string().regex(/^[a-f0-9]{24}$/, 'must be 24 lower-case hex digits');
const isoInstant = z.iso.datetime({ offset: true });
const ipv4 = z.ipv4();

const roleSchema = z.object({ role: z.string().min(1), db: z.string().min(1), collection: z.string().min(1).optional() });

const workingHoursSchema = z.union([
  z.literal('always'),
  z.object({
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
    fromHour: z.number().int().min(0).max(23),
    toHour: z.number().int().min(1).max(24),
  }),
]);

const userSchema = z.object({
  username: z.string().min(1),
  kind: z.enum(['human', 'service']).default('human'),
  authDb: z.enum(['admin', '$external']).default('admin'),
  mechanism: z.enum(['SCRAM-SHA-256', 'SCRAM-SHA-1', 'MONGODB-X509', 'PLAIN', 'MONGODB-AWS', 'MONGODB-OIDC']).default('SCRAM-SHA-256'),
  roles: z.array(roleSchema).min(1),
  /** Cluster names the user is scoped to; empty = every cluster of the project. */
  scopes: z.array(z.string().min(1)).default([]),
  ips: z.array(ipv4).min(1),
  timeZone: z.string().min(1).default('UTC'),
  workingHours: workingHoursSchema.default({ days: [1, 2, 3, 4, 5], fromHour: 9, toHour: 18 }),
  sessionsPerHour: z.number().min(0).default(2),
  /** Fraction of the working-hours rate that still happens outside working hours. */
  offHoursFactor: z.number().min(0).max(1).default(0.02),
  opsPerSession: z.number().int().min(0).max(200).default(4),
  /** Probability that a login attempt fails (typo, rotated password). */
  failureRate: z.number().min(0).max(1).default(0.01),
  /** Databases the user works in (for authCheck namespaces); defaults to the dbs of its roles. */
  databases: z.array(z.string().min(1)).default([]),
  application: z.string().min(1).optional(),
});

const clusterSchema = z.object({
  name: z.string().min(1),
  /** Replica-set members (processes `…-shard-00-0N`). */
  nodes: z.number().int().min(1).max(7).default(3),
  /** When true the cluster is sharded with one shard and a mongos on every node (port 27016). */
  mongos: z.boolean().default(false),
  mongoVersion: z.string().min(1).default('7.0.14'),
});

const customRoleSchema = z.object({
  roleName: z.string().min(1),
  actions: z.array(z.object({ action: z.string().min(1), resources: z.array(z.union([z.object({ db: z.string(), collection: z.string() }), z.object({ cluster: z.literal(true) })])) })).default([]),
  inheritedRoles: z.array(z.object({ db: z.string().min(1), role: z.string().min(1) })).default([]),
});

const projectSchema = z.object({
  name: z.string().min(1),
  id: hexId.optional(),
  clusters: z.array(clusterSchema).min(1),
  users: z.array(userSchema).default([]),
  customRoles: z.array(customRoleSchema).default([]),
  accessList: z.array(z.object({ cidr: z.string().regex(/^[0-9.]+\/\d{1,2}$/), comment: z.string().default('') })).default([]),
  audit: z.object({
    enabled: z.boolean().default(true),
    auditAuthorizationSuccess: z.boolean().default(false),
    auditFilter: z.string().optional(),
  }).prefault({}),
  encryptionAtRest: z.enum(['NONE', 'AWS', 'AZURE', 'GCP']).default('NONE'),
  maintenanceWindow: z.object({ dayOfWeek: z.number().int().min(1).max(7), hourOfDay: z.number().int().min(0).max(23) }).default({ dayOfWeek: 7, hourOfDay: 3 }),
  /** Atlas users (people with console access) who appear as actors of project events. */
  atlasUsers: z.array(z.string().email()).default([]),
  /** Routine control-plane events per day (DB user updates, Data Explorer, access list edits). */
  routineEventsPerDay: z.number().min(0).default(4),
});

const orgSchema = z.object({
  name: z.string().min(1),
  id: hexId.optional(),
  projects: z.array(projectSchema).min(1),
  atlasUsers: z.array(z.string().email()).default([]),
});

const agentSchema = z.object({
  /** Connections per minute per host from each agent; each makes clientMetadata + authenticate + logout lines. */
  automationPerMinute: z.number().min(0).default(1),
  monitoringPerMinute: z.number().min(0).default(4),
  systemPerMinute: z.number().min(0).default(2),
  /** Extra authCheck lines per agent connection (only when authorization successes are audited). */
  opsPerConnection: z.number().int().min(0).max(50).default(2),
});

const attackBase = {
  at: isoInstant,
  project: z.string().min(1),
  cluster: z.string().min(1).optional(),
  /** Replica-set member index that receives the activity (0 = primary). */
  node: z.number().int().min(0).default(0),
};

/** `shell`: the database user runs the command; `atlas`: an Atlas user does it in the console (an event, and mms-automation in the audit log). */
const viaAtlas = { via: z.enum(['shell', 'atlas']).default('shell'), actorEmail: z.email().optional() };

const attackSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('new-ip-login'), ...attackBase, user: z.string().min(1), ip: ipv4, ops: z.number().int().min(0).default(20) }),
  z.object({ type: z.literal('brute-force'), ...attackBase, user: z.string().min(1), ip: ipv4, attempts: z.number().int().min(1).max(5000).default(50), durationMinutes: z.number().min(0.1).max(4.5).default(3), thenSucceed: z.boolean().default(false), extraUsers: z.array(z.string().min(1)).default([]) }),
  z.object({ type: z.literal('off-hours-admin'), ...attackBase, user: z.string().min(1), ip: ipv4.optional() }),
  z.object({ type: z.literal('role-grant'), ...attackBase, actor: z.string().min(1), target: z.string().min(1), role: roleSchema, ip: ipv4.optional(), ...viaAtlas }),
  z.object({ type: z.literal('backdoor-user'), ...attackBase, actor: z.string().min(1), newUser: z.string().min(1), role: roleSchema, ip: ipv4.optional(), ...viaAtlas }),
  z.object({ type: z.literal('drop-database'), ...attackBase, user: z.string().min(1), database: z.string().min(1), collections: z.array(z.string().min(1)).default(['data']), ip: ipv4.optional() }),
  z.object({ type: z.literal('authz-failures'), ...attackBase, user: z.string().min(1), namespace: z.string().min(1), count: z.number().int().min(1).max(1500).default(30), ip: ipv4.optional() }),
  z.object({ type: z.literal('audit-disabled'), ...attackBase, actor: z.email(), durationMinutes: z.number().min(1).default(60) }),
  z.object({ type: z.literal('access-list-open'), ...attackBase, actor: z.email(), cidr: z.string().default('0.0.0.0/0') }),
  z.object({ type: z.literal('mfa-disabled'), ...attackBase, actor: z.email() }),
  z.object({ type: z.literal('api-key-created'), ...attackBase, actor: z.email(), publicKey: z.string().min(1) }),
  z.object({ type: z.literal('external-invite'), ...attackBase, actor: z.email(), invitee: z.email() }),
]);

export const scenarioSchema = z.object({
  name: z.string().min(1),
  /** Traffic exists from this instant on (the scenario's history). */
  start: isoInstant,
  /** Optional end of traffic; absent = traffic never stops. */
  end: isoInstant.optional(),
  seed: z.number().int().default(1),
  publicationLagSeconds: z.number().int().min(0).max(3600).default(300),
  /** Fraction of audit lines replaced by an invalid line (bad JSON, truncated, invalid UTF-8). */
  invalidLineFraction: z.number().min(0).max(0.5).default(0),
  agents: agentSchema.prefault({}),
  orgs: z.array(orgSchema).min(1),
  attacks: z.array(attackSchema).default([]),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioUser = z.infer<typeof userSchema>;
export type ScenarioProject = z.infer<typeof projectSchema>;
export type ScenarioCluster = z.infer<typeof clusterSchema>;
export type Attack = z.infer<typeof attackSchema>;
export type RoleRef = z.infer<typeof roleSchema>;

/** Validates a scenario object; every problem is listed in the reason. */
export function validateScenario(input: unknown): Result<Scenario> {
  const parsed = scenarioSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  return fail(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '));
}

/**
 * Parses and validates scenario YAML text. Relative times (`now-7d`, `start+2d3h`) are resolved
 * against `nowMs` (simulated time); without it they are an error. Bad YAML or a bad shape is a
 * failed Result listing every problem.
 */
export function parseScenario(yamlText: string, nowMs?: number): Result<Scenario> {
  let input: unknown;
  try {
    input = parseYaml(yamlText);
  } catch (err) {
    return fail(`scenario is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (nowMs !== undefined) {
    const resolved = resolveRelativeTimes(input, nowMs);
    if (!resolved.ok) return resolved;
    input = resolved.value;
  }
  return validateScenario(input);
}
