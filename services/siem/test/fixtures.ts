import type { SiemAlert } from '../src/core/alert-view.ts';

/** A complete alert in the shape of the shared alert schema, with overridable fields. */
export function sampleAlert(overrides: Partial<SiemAlert> & { id?: string } = {}): SiemAlert {
  const { id, ...rest } = overrides;
  return {
    schema_version: '1',
    '@timestamp': '2025-03-04T14:07:12.345Z',
    event: { id: id ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90', kind: 'alert', category: ['authentication'], type: ['info'], action: 'auth_new_prefix', dataset: 'atlas.alert', module: 'mongodb_atlas', severity: 2, risk_score: 47 },
    rule: { id: 'D3', name: 'Auth from new IP prefix', description: 'A principal authenticated from a prefix unseen in 30 days', version: '1' },
    threat: { framework: 'MITRE ATT&CK', tactic: { id: 'TA0001', name: 'Initial Access' }, technique: { id: 'T1078', name: 'Valid Accounts' } },
    severity: 'medium',
    risk_score: 47,
    message: 'app_svc authenticated from new prefix 203.0.113.0/24',
    user: { name: 'app_svc', domain: 'admin' },
    source: { ip: '203.0.113.45', prefix: '203.0.113.0/24' },
    host: { name: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net' },
    cloud: { provider: 'mongodb_atlas', project: { id: '65f0c0ffee0ddba11ab1e5e1' } },
    related: { ip: ['203.0.113.45'], user: ['app_svc'] },
    atlas: {
      alert: {
        subject: '65f0c0ffee0ddba11ab1e5e1/app_svc/203.0.113.0/24',
        window: { start: '2025-03-04T14:07:12.345Z', end: '2025-03-05T14:07:12.345Z' },
        explanation: 'first success from 203.0.113.0/24; known prefixes: 198.51.100.0/24 since 2025-02-01',
        evidence_event_ids: ['e1', 'e2'],
        evidence: { known_prefixes: ['198.51.100.0/24'] },
      },
    },
    ...rest,
  } as SiemAlert;
}

/** Parses one CEF:0 line back into its header fields and extension map (the test's own parser, per the CEF spec). */
export function parseCef(line: string): { header: string[]; ext: Map<string, string> } {
  const header: string[] = [];
  let i = 0;
  let field = '';
  while (header.length < 7) {
    const c = line[i];
    if (c === undefined) throw new Error('truncated CEF header');
    if (c === '\\') {
      const next = line[i + 1];
      if (next === '\\' || next === '|') {
        field += next;
        i += 2;
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === '|') {
      header.push(field);
      field = '';
      i += 1;
      continue;
    }
    field += c;
    i += 1;
  }
  const ext = new Map<string, string>();
  const rest = line.slice(i);
  // Keys are [A-Za-z0-9_]+ followed by an unescaped '='; a value runs until the next ' key='.
  const keyAt = /(?:^| )([A-Za-z0-9_]+)=/g;
  const starts: Array<{ key: string; valueStart: number; keyStart: number }> = [];
  for (let m = keyAt.exec(rest); m !== null; m = keyAt.exec(rest)) {
    const eqIndex = m.index + m[0].length - 1;
    if (countBackslashesBefore(rest, eqIndex) % 2 === 1) continue;
    starts.push({ key: m[1] ?? '', keyStart: m.index, valueStart: eqIndex + 1 });
  }
  starts.forEach((s, n) => {
    const end = n + 1 < starts.length ? (starts[n + 1]?.keyStart ?? rest.length) : rest.length;
    ext.set(s.key, unescapeExtension(rest.slice(s.valueStart, end)));
  });
  return { header, ext };
}

function countBackslashesBefore(text: string, index: number): number {
  let n = 0;
  for (let j = index - 1; j >= 0 && text[j] === '\\'; j--) n++;
  return n;
}

function unescapeExtension(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}
