import { z } from 'zod';
import { dayNames } from '../lib/business-hours.ts';
import { parseCidr } from '../lib/ip.ts';
import { isValidTimeZone } from '@atlas-audit/shared/core/zoned-time';
import { privilegedAtlasRoles, privilegedBuiltinRoles, privilegedOnAdminRoles } from '@atlas-audit/shared/core/privileged-roles';

/**
 * The rules file: one YAML document validated by this schema. Every key is optional and has a
 * documented default (so the engine runs with no file), unknown keys are errors (typos never
 * pass silently), and an invalid value is an error, never replaced by a default.
 */

export const severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

const timeZone = z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone, e.g. Europe/Berlin' });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
const localDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a date YYYY-MM-DD');
const cidr = z.string().refine((v) => parseCidr(v) !== undefined, { message: 'must be an IP address or CIDR block' });
const glob = z.string().min(1);
const minutes = z.number().int().min(0).max(5_256_000);
const days = z.number().int().min(1).max(3650);
const positive = z.number().int().min(1).max(1_000_000);

const allowlistSchema = z.strictObject({
  principals: z.array(glob).default([]),
  cidrs: z.array(cidr).default([]),
}).prefault({});

/** Fields every rule has. */
function ruleSchema<S extends z.ZodRawShape>(defaults: { suppressionMinutes: number }, extra: S) {
  return z.strictObject({
    enabled: z.boolean().default(true),
    /** Overrides the rule's own severity logic when set. */
    severity: z.enum(severities).optional(),
    suppressionMinutes: minutes.default(defaults.suppressionMinutes),
    allowlist: allowlistSchema,
    ...extra,
    // Every field has a default, so an absent rule block is valid; the generic shape hides that from tsc.
  }).prefault({} as never);
}

export const calendarSchema = z.strictObject({
  timeZone: timeZone.default('UTC'),
  days: z.array(z.enum(dayNames)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
  start: hhmm.default('07:00'),
  end: hhmm.default('20:00'),
  holidays: z.array(localDate).default([]),
  /** Per-principal time zones (glob → zone); the first match wins. */
  principalTimeZones: z.array(z.strictObject({ principal: glob, timeZone })).default([]),
}).prefault({});

export const approvedRoleSchema = z.strictObject({
  /** Principal name or glob (`app_*`, `*@example.com`). */
  principal: glob,
  /** Project ids or globs; default every project. */
  projects: z.array(glob).default(['*']),
  /** Approved role references or globs: `readWrite@sales`, `read@*`, `GROUP_READ_ONLY`. */
  roles: z.array(glob).min(1),
  /** Why it is approved (ticket, review), shown in evidence. */
  reference: z.string().optional(),
});

export const defaultPrivilegedRoles = [
  ...privilegedAtlasRoles,
  ...privilegedBuiltinRoles,
  ...privilegedOnAdminRoles.map((role) => `${role}@admin` as const),
  '__system',
] as const;

export const defaultAgents = ['mms-automation', 'mms-monitoring-agent', 'mms-backup-agent', '__system'] as const;

export const rulesConfigSchema = z.strictObject({
  businessHours: calendarSchema,
  privilegedRoles: z.array(glob).min(1).default([...defaultPrivilegedRoles]),
  approvedRoles: z.array(approvedRoleSchema).default([]),
  allowlist: z.strictObject({
    /** Atlas's own agents: never the subject of actor rules. */
    agents: z.array(glob).default([...defaultAgents]),
    principals: z.array(glob).default([]),
    cidrs: z.array(cidr).default([]),
  }).prefault({}),
  rules: z.strictObject({
    'unexpected-role': ruleSchema({ suppressionMinutes: 1440 }, {}),
    'off-hours-admin': ruleSchema({ suppressionMinutes: 240 }, {
      extraActions: z.array(z.string().min(1)).default([]),
      /** An off-hours slot used on this many earlier days is a habit, not an anomaly; 0 = calendar only. */
      activeSlotDays: z.number().int().min(0).max(90).default(3),
      slotLookbackDays: days.default(90),
    }),
    'new-ip': ruleSchema({ suppressionMinutes: 1440 }, {
      lookbackDays: days.default(30),
      learningDays: z.number().int().min(0).max(3650).default(14),
      ipv4PrefixLength: z.number().int().min(8).max(32).default(24),
      ipv6PrefixLength: z.number().int().min(16).max(128).default(64),
    }),
    'auth-failure-burst': ruleSchema({ suppressionMinutes: 60 }, {
      windowMinutes: positive.default(10),
      perUserThreshold: positive.default(10),
      distinctUsersPerPrefix: positive.default(5),
      /** How far behind the newest attempt a late attempt still counts (streams of one partition arrive out of order). */
      orderToleranceMinutes: positive.default(1440),
    }),
    'brute-force-success': ruleSchema({ suppressionMinutes: 60 }, {
      /** Failed logins for the principal within `withinMinutes` before a success from one of their prefixes. */
      failureThreshold: positive.default(10),
      withinMinutes: positive.default(30),
      orderToleranceMinutes: positive.default(1440),
    }),
    'authz-failure-burst': ruleSchema({ suppressionMinutes: 60 }, {
      windowMinutes: positive.default(10),
      threshold: positive.default(20),
      orderToleranceMinutes: positive.default(1440),
    }),
    'network-exposure': ruleSchema({ suppressionMinutes: 1440 }, {
      minPrefixLength: z.number().int().min(0).max(32).default(16),
      approvedCidrs: z.array(cidr).default([]),
    }),
    'audit-impaired': ruleSchema({ suppressionMinutes: 360 }, {
      /** Consecutive empty coverage windows of a host spanning this long are silence. */
      silenceMinutes: positive.default(120),
      /** Windows with data the host must have had before, so a host that never logged is not "silent". */
      minFetchedWindows: positive.default(2),
    }),
    'mfa-idp-tampering': ruleSchema({ suppressionMinutes: 60 }, {}),
    'new-credential': ruleSchema({ suppressionMinutes: 525_600 }, {
      automationPrincipals: z.array(glob).default([]),
    }),
    'external-principal': ruleSchema({ suppressionMinutes: 525_600 }, {
      allowedDomains: z.array(z.string().min(1)).default([]),
    }),
    'destructive-operation': ruleSchema({ suppressionMinutes: 60 }, {
      lookbackDays: days.default(14),
      burstCount: positive.default(3),
      burstWindowMinutes: positive.default(10),
    }),
    'dormant-account': ruleSchema({ suppressionMinutes: 1440 }, {
      dormantDays: days.default(90),
    }),
    'side-door-access': ruleSchema({ suppressionMinutes: 1440 }, {
      allowedActors: z.array(glob).default([]),
      outsideBusinessHoursOnly: z.boolean().default(false),
    }),
    'posture-auditing-off': ruleSchema({ suppressionMinutes: 1440 }, {}),
    'posture-access-list-open': ruleSchema({ suppressionMinutes: 1440 }, {
      minPrefixLength: z.number().int().min(0).max(32).default(16),
    }),
    'posture-privileged-users': ruleSchema({ suppressionMinutes: 1440 }, {}),
    'posture-no-maintenance-window': ruleSchema({ suppressionMinutes: 10_080 }, {}),
    'posture-encryption-no-cmk': ruleSchema({ suppressionMinutes: 10_080 }, {}),
  }).prefault({}),
}).prefault({});

/** The validated rules file, defaults applied. */
export type RulesConfig = z.output<typeof rulesConfigSchema>;
export type RuleId = keyof RulesConfig['rules'];
export type RuleConfig<K extends RuleId> = RulesConfig['rules'][K];
export type CalendarConfig = RulesConfig['businessHours'];
