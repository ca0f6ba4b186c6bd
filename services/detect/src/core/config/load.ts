import { parse as parseYaml } from 'yaml';
import { fail, ok, type Result } from '@atlas-audit/shared/result';
import { rulesConfigSchema, type RulesConfig } from './schema.ts';

/** Sets businessHours.timeZone when the file does not: a caller's zone (e.g. `scan --tz`) never overrides the file's. */
function withDefaultTimeZone(raw: Record<string, unknown> | undefined, timeZone: string): Record<string, unknown> {
  const doc = { ...(raw ?? {}) };
  const hours = doc['businessHours'];
  if (hours === undefined || hours === null) doc['businessHours'] = { timeZone };
  else if (typeof hours === 'object' && !Array.isArray(hours) && (hours as Record<string, unknown>)['timeZone'] === undefined) doc['businessHours'] = { ...hours, timeZone };
  return doc;
}

/**
 * Parses and validates the rules file text (YAML). `undefined` or an empty document gives the
 * defaults; `defaultTimeZone` fills businessHours.timeZone when the file leaves it out. On any problem returns a failed Result listing every problem, one per line, each
 * prefixed with its path; never substitutes a default for an invalid value.
 */
export function parseRulesConfig(text: string | undefined, fileName = 'rules file', options: { defaultTimeZone?: string } = {}): Result<RulesConfig> {
  let raw: unknown = undefined;
  if (text !== undefined) {
    try {
      raw = parseYaml(text);
    } catch (err) {
      return fail(`${fileName}: not valid YAML (${err instanceof Error ? (err.message.split('\n')[0] ?? '') : 'parse error'})`);
    }
  }
  if (raw === null) raw = undefined;
  if (raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) return fail(`${fileName}: must be a YAML mapping`);
  if (options.defaultTimeZone !== undefined) raw = withDefaultTimeZone(raw as Record<string, unknown> | undefined, options.defaultTimeZone);
  const result = rulesConfigSchema.safeParse(raw);
  if (result.success) return ok(result.data);
  const problems = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  return fail(`${fileName}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
}

/** The default configuration (no rules file). */
export function defaultRulesConfig(): RulesConfig {
  return rulesConfigSchema.parse(undefined);
}
