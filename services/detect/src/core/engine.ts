import type { AtlasEvent, EventDataset } from '@atlas-audit/shared/schema/event';
import type { Alert } from '@atlas-audit/shared/schema/alert';
import type { CompiledConfig } from './config/compile.ts';
import type { Actor, Rule, RuleContext } from './rule.ts';
import type { RuleId } from './config/schema.ts';
import type { StatePort } from './state/port.ts';
import { buildAlert } from './alert/build.ts';
import { isSuppressed, openWindow } from './alert/suppress.ts';
import { MINUTE_MS, timestampMs } from './lib/event-facts.ts';
import { createAllRules } from './rules/index.ts';

/** The detection engine over one state: evaluate events in order, get alerts. */
export type Engine = {
  /**
   * Runs every enabled rule routed to the event's dataset, at the event's time, and returns the
   * alerts it raises (allowlists and suppression applied). Updates state idempotently: evaluating
   * an event again yields no new alert. Events with an unparseable `@timestamp` yield nothing.
   */
  evaluate(event: AtlasEvent): Alert[];
  /** The enabled rules. */
  rules: readonly Rule[];
};

function actorOf(event: AtlasEvent, scope: string, config: CompiledConfig): Actor | undefined {
  const user = event.user;
  if (user === undefined || user.name === '') return undefined;
  const domain = user.domain ?? '';
  return {
    name: user.name,
    domain,
    project: scope,
    key: `${scope}/${user.name}@${domain}`,
    isAgent: event.atlas.is_system_user === true || config.isAgent(user.name),
  };
}

/** Creates an engine over `config` and `state`, with `rules` (default: every rule) filtered by `enabled`. */
export function createEngine(config: CompiledConfig, state: StatePort, rules: readonly Rule[] = createAllRules()): Engine {
  const enabled = rules.filter((r) => config.raw.rules[r.id].enabled);
  const byDataset = new Map<EventDataset, Rule[]>();
  for (const rule of enabled) {
    for (const ds of rule.datasets) {
      const list = byDataset.get(ds) ?? [];
      list.push(rule);
      byDataset.set(ds, list);
    }
  }
  return {
    rules: enabled,
    evaluate(event) {
      const routed = byDataset.get(event.event.dataset);
      if (routed === undefined) return [];
      const timeMs = timestampMs(event['@timestamp']);
      if (!Number.isFinite(timeMs)) return [];
      const scope = event.cloud.project?.id ?? event.cloud.account?.id ?? '-';
      const actor = actorOf(event, scope, config);
      const suppressed = (ruleId: RuleId, subject: string): boolean => isSuppressed(state, ruleId, subject, timeMs, config.raw.rules[ruleId].suppressionMinutes * MINUTE_MS);
      const ctx: RuleContext = { config, state, timeMs, scope, actor, suppressed };
      let alerts: Alert[] | undefined;
      for (const rule of routed) {
        if (rule.actorRule && actor?.isAgent === true) continue;
        const findings = rule.evaluate(event, ctx);
        if (findings.length === 0) continue;
        const ruleConfig = config.raw.rules[rule.id];
        const suppressionMs = ruleConfig.suppressionMinutes * MINUTE_MS;
        for (const finding of findings) {
          if (config.isAllowlisted(rule.id, finding.allowlistPrincipal ?? actor?.name, finding.allowlistIp ?? event.source?.ip)) continue;
          const start = openWindow(state, rule.id, finding.subject, timeMs, suppressionMs);
          if (start === undefined) continue;
          const severity = ruleConfig.severity ?? finding.severity;
          (alerts ??= []).push(buildAlert(rule, finding, severity, event, start, start + suppressionMs));
        }
      }
      return alerts ?? [];
    },
  };
}
