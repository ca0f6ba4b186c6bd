import { parseArgs } from 'node:util';
import type { Result } from '@atlas-audit/shared/result';
import { fail, ok } from '@atlas-audit/shared/result';

/** What `atlas-audit scan` was asked to do. */
export type ScanOptions = {
  project?: string;
  org?: string;
  host?: string;
  cluster?: string;
  timeZone: string;
  rulesFile?: string;
  events: boolean;
  progress: boolean;
  files: string[];
};

export const USAGE = `Usage: atlas-audit scan [options] FILE...
       atlas-audit review --project ID --from DATE --to DATE [--out DIR] [--tz ZONE] [--dormant-days N]
       atlas-audit setup

scan reads Atlas audit logs (.gz or plain JSON lines), dbAccessHistory and events response
bodies and posture snapshots, recognised by content (FILE '-' is stdin; a directory means
every file under it, in name order), normalises them and runs the detections. Alerts go to
stdout as NDJSON (with --events, the normalised events instead); a summary goes to stderr.
Invalid lines are counted and listed, never fatal.

scan options:
  --project ID     Atlas project id for records that do not carry one (audit logs)
  --org ID         Atlas organisation id for records that do not carry one
  --host NAME      Atlas process host name (default: from the download's file or folder name)
  --cluster NAME   cluster name (service.name)
  --tz ZONE        IANA time zone of business hours, unless the rules file sets one (default UTC)
  --rules FILE     detection rules YAML (default: the built-in rules)
  --events         print normalised events instead of alerts
  --no-progress    no progress bar on stderr

review writes the weekly access review; setup installs the Elasticsearch templates and the
Kibana dashboards (both configured from the environment).
`;

/** True when `zone` is an IANA time zone this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses the argument vector after the program name. Returns the options, `{ help: true }`, or
 * a reason listing every problem (unknown option, missing file, bad time zone). Never throws.
 */
export function parseCliArgs(argv: readonly string[]): Result<{ command: 'scan'; options: ScanOptions } | { command: 'help' }> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return ok({ command: 'help' });
  if (command !== 'scan') return fail(`unknown command: ${command}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      options: {
        project: { type: 'string' },
        org: { type: 'string' },
        host: { type: 'string' },
        cluster: { type: 'string' },
        tz: { type: 'string' },
        rules: { type: 'string' },
        events: { type: 'boolean', default: false },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return ok({ command: 'help' });
  const problems: string[] = [];
  if (positionals.length === 0) problems.push('no FILE given');
  const timeZone = values.tz ?? 'UTC';
  if (!isValidTimeZone(timeZone)) problems.push(`--tz: unknown time zone ${timeZone}`);
  for (const [name, value] of [['project', values.project], ['org', values.org], ['host', values.host], ['cluster', values.cluster], ['rules', values.rules]] as const) {
    if (value !== undefined && value.length === 0) problems.push(`--${name}: must not be empty`);
  }
  if (problems.length > 0) return fail(problems.join('; '));
  const options: ScanOptions = { timeZone, events: values.events === true, progress: values['no-progress'] !== true, files: positionals };
  if (values.project !== undefined) options.project = values.project;
  if (values.org !== undefined) options.org = values.org;
  if (values.host !== undefined) options.host = values.host;
  if (values.cluster !== undefined) options.cluster = values.cluster;
  if (values.rules !== undefined) options.rulesFile = values.rules;
  return ok({ command: 'scan', options });
}
