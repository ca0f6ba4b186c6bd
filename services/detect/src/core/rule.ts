import type { AtlasEvent, EventDataset } from '@atlas-audit/shared/schema/event';
import type { JsonObject } from '@atlas-audit/shared/schema/json-value';
import type { CompiledConfig } from './config/compile.ts';
import type { RuleId, Severity } from './config/schema.ts';
import type { StatePort } from './state/port.ts';

/** A MITRE ATT&CK reference. */
export type AttackRef = { id: string; name: string };
export type ThreatMapping = { tactic: AttackRef; technique: AttackRef; subtechnique?: AttackRef };

/** What a rule reports for one event; the engine applies allowlists, suppression and builds the alert. */
export type Finding = {
  /** Dedup key within the rule (e.g. `<project>/<principal>/<prefix>`); part of the alert id. */
  subject: string;
  severity: Severity;
  /** One line, for humans. */
  explanation: string;
  /** Ids of the evidence events; the triggering event first. */
  evidenceIds: string[];
  evidence: JsonObject;
  /** Principal and IP the allowlists are checked against (default: the event's actor and source). */
  allowlistPrincipal?: string;
  allowlistIp?: string;
  /** Overrides for the alert's user/source fields (default: the event's). */
  user?: { name: string; domain?: string; roles?: string[]; target?: { name: string; domain?: string; roles?: string[] } };
  sourcePrefix?: string;
};

/** The actor of an event, precomputed once by the engine. */
export type Actor = { name: string; domain: string; project: string; key: string; isAgent: boolean };

export type RuleContext = {
  config: CompiledConfig;
  state: StatePort;
  /** Event time in epoch ms (from `@timestamp`). */
  timeMs: number;
  /** Scope of the event: project id, else organisation id, else '-'. */
  scope: string;
  actor: Actor | undefined;
  /**
   * Whether the engine would suppress a finding of `ruleId` for `subject` at this event's time
   * (its suppression window is open). A rule may skip building such a finding: the alerts are the
   * same. It must still update its state as if it had built it.
   */
  suppressed(ruleId: RuleId, subject: string): boolean;
};

/** A detection rule: stable id, metadata, ATT&CK mapping and a function of (event, state). */
export type Rule = {
  id: RuleId;
  name: string;
  description: string;
  version: string;
  threat: ThreatMapping;
  /** ECS event.category / event.type of its alerts. */
  category: string[];
  /** Datasets the rule reads; the engine routes only these. */
  datasets: readonly EventDataset[];
  /** Actor rules are skipped for Atlas agents and system users, and their findings are allowlist-checked. */
  actorRule: boolean;
  /** Reads and updates state for `event`; returns its findings (usually none). Must be idempotent per event id. */
  evaluate(event: AtlasEvent, ctx: RuleContext): readonly Finding[];
};

export const none: readonly Finding[] = Object.freeze([]);
