import { compileGlob, anyGlobMatches, type Glob } from '../lib/glob.ts';
import { compileRolePattern, anyRoleMatches, splitRole, type RolePattern } from '../lib/roles.ts';
import { cidrContains, parseCidr, type Cidr } from '../lib/ip.ts';
import type { BusinessCalendar } from '../lib/business-hours.ts';
import type { RuleId, RulesConfig } from './schema.ts';

export type CompiledAllowlist = { principals: Glob[]; cidrs: Cidr[] };
type ApprovedEntry = { principal: Glob; projects: Glob[]; roles: RolePattern[]; reference: string | undefined };

/** The rules config with globs, CIDRs and role patterns compiled once, plus lookups rules share. */
export type CompiledConfig = {
  raw: RulesConfig;
  agents: Glob[];
  allowlist: CompiledAllowlist;
  ruleAllowlists: ReadonlyMap<RuleId, CompiledAllowlist>;
  privileged: RolePattern[];
  /** True when `ref` (role@db or bare) is in the privileged set. */
  isPrivileged(ref: string): boolean;
  /** True when some register entry names `principal` in `project`. */
  hasRegisterEntry(principal: string, project: string): boolean;
  /** The register entry approving `ref` for `principal` in `project`, if any. */
  approvalOf(principal: string, project: string, ref: string): { reference: string | undefined; principal: string } | undefined;
  /** The calendar that applies to `principal` (its zone override, else the default zone). */
  calendarFor(principal: string): BusinessCalendar;
  isAgent(name: string): boolean;
  /** True when the principal or the IP is allowlisted globally or for `rule`. */
  isAllowlisted(rule: RuleId, principal: string | undefined, ip: string | undefined): boolean;
};

function compileAllowlist(list: { principals: readonly string[]; cidrs: readonly string[] }): CompiledAllowlist {
  return { principals: list.principals.map(compileGlob), cidrs: list.cidrs.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== undefined) };
}

function allowlistHit(list: CompiledAllowlist, principal: string | undefined, ip: string | undefined): boolean {
  if (principal !== undefined && anyGlobMatches(list.principals, principal)) return true;
  if (ip !== undefined) for (const c of list.cidrs) if (cidrContains(c, ip)) return true;
  return false;
}

/** Compiles a validated rules config. Pure; the result is immutable and safe to share. */
export function compileConfig(raw: RulesConfig): CompiledConfig {
  const agents = raw.allowlist.agents.map(compileGlob);
  const allowlist = compileAllowlist(raw.allowlist);
  const ruleAllowlists = new Map<RuleId, CompiledAllowlist>();
  for (const [id, rule] of Object.entries(raw.rules)) ruleAllowlists.set(id as RuleId, compileAllowlist(rule.allowlist));
  const privileged = raw.privilegedRoles.map(compileRolePattern);
  const register: ApprovedEntry[] = raw.approvedRoles.map((e) => ({
    principal: compileGlob(e.principal),
    projects: e.projects.map(compileGlob),
    roles: e.roles.map(compileRolePattern),
    reference: e.reference,
  }));
  const zones = raw.businessHours.principalTimeZones.map((z) => ({ principal: compileGlob(z.principal), timeZone: z.timeZone }));
  const base: BusinessCalendar = raw.businessHours;
  const calendars = new Map<string, BusinessCalendar>();
  const agentMemo = new Map<string, boolean>();
  const privilegedMemo = new Map<string, boolean>();
  return {
    raw,
    agents,
    allowlist,
    ruleAllowlists,
    privileged,
    isPrivileged(ref) {
      let hit = privilegedMemo.get(ref);
      if (hit === undefined) {
        hit = anyRoleMatches(privileged, ref) || anyRoleMatches(privileged, splitRole(ref).role);
        if (privilegedMemo.size < 100_000) privilegedMemo.set(ref, hit);
      }
      return hit;
    },
    hasRegisterEntry(principal, project) {
      return register.some((e) => e.principal.test(principal) && anyGlobMatches(e.projects, project));
    },
    approvalOf(principal, project, ref) {
      for (const e of register) {
        if (e.principal.test(principal) && anyGlobMatches(e.projects, project) && anyRoleMatches(e.roles, ref)) return { reference: e.reference, principal: e.principal.text };
      }
      return undefined;
    },
    calendarFor(principal) {
      if (zones.length === 0) return base;
      let cal = calendars.get(principal);
      if (cal === undefined) {
        const zone = zones.find((z) => z.principal.test(principal));
        cal = zone === undefined ? base : { ...base, timeZone: zone.timeZone };
        if (calendars.size < 100_000) calendars.set(principal, cal);
      }
      return cal;
    },
    isAgent(name) {
      let hit = agentMemo.get(name);
      if (hit === undefined) {
        hit = anyGlobMatches(agents, name);
        if (agentMemo.size < 100_000) agentMemo.set(name, hit);
      }
      return hit;
    },
    isAllowlisted(rule, principal, ip) {
      if (allowlistHit(allowlist, principal, ip)) return true;
      const own = ruleAllowlists.get(rule);
      return own !== undefined && allowlistHit(own, principal, ip);
    },
  };
}
