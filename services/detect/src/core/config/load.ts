import { parse as parseYaml } from 'yaml';
import { fail, ok, type Result } from '@atlas-audit/shared/result';
import { rulesConfigSchema, type RulesConfig } from './schema.ts';

/**
 * Parses and validates the rules file text (YAML). `undefined` or an empty document gives the
 * defaults. On any problem returns a failed Result listing every problem, one per line, each
 * prefixed with its path; never substitutes a default for an invalid value.
 */
export function parseRulesConfig(text: string | undefined, fileName = 'rules file'): Result<RulesConfig> {
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
  const result = rulesConfigSchema.safeParse(raw);
  if (result.success) return ok(result.data);
  const problems = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  return fail(`${fileName}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
}

/** The default configuration (no rules file). */
export function defaultRulesConfig(): RulesConfig {
  return rulesConfigSchema.parse(undefined);
}
