import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRulesConfig, defaultRulesConfig } from '../src/core/config/load.ts';
import { compileConfig } from '../src/core/config/compile.ts';

test('no rules file gives working defaults: every rule enabled, agents allowlisted, Mon–Fri 07–20 UTC', () => {
  const cfg = defaultRulesConfig();
  assert.equal(Object.values(cfg.rules).every((r) => r.enabled), true);
  assert.equal(Object.keys(cfg.rules).length, 19);
  assert.deepEqual(cfg.allowlist.agents, ['mms-automation', 'mms-monitoring-agent', 'mms-backup-agent', '__system']);
  assert.equal(cfg.rules['new-ip'].lookbackDays, 30);
  assert.equal(cfg.rules['new-ip'].learningDays, 14);
  assert.deepEqual(cfg.businessHours, { timeZone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', end: '20:00', holidays: [], principalTimeZones: [] });
  const empty = parseRulesConfig('');
  assert.equal(empty.ok, true);
});

test('every problem in a rules file is listed at once, with its path', () => {
  const text = [
    'businessHours:',
    '  timeZone: Mars/Olympus',
    '  start: "7am"',
    '  holidays: ["2025-13-01"]',
    'allowlist:',
    '  cidrs: ["300.1.1.1/8"]',
    'approvedRoles:',
    '  - principal: app',
    '    roles: []',
    'rules:',
    '  new-ip:',
    '    lookbackDays: 0',
    '    lookbakDays: 10',
    '  off-hours-admin:',
    '    severity: urgent',
    '  no-such-rule: {}',
  ].join('\n');
  const r = parseRulesConfig(text, 'rules.yaml');
  assert.equal(r.ok, false);
  if (r.ok) return;
  const lines = r.reason.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
  assert.equal(r.reason.split('\n')[0], 'rules.yaml: 9 problem(s):');
  for (const path of ['businessHours.timeZone', 'businessHours.start', 'businessHours.holidays.0', 'allowlist.cidrs.0', 'approvedRoles.0.roles', 'rules.new-ip.lookbackDays', 'rules.new-ip', 'rules.off-hours-admin.severity', 'rules']) {
    assert.ok(lines.some((l) => l.startsWith(`${path}: `)), `missing ${path} in\n${r.reason}`);
  }
});

test('invalid YAML and a non-mapping document are reported, not defaulted', () => {
  assert.match(String(parseRulesConfig('rules: [', 'f.yaml').ok === false && (parseRulesConfig('rules: [', 'f.yaml') as { reason: string }).reason), /f\.yaml: not valid YAML/);
  const list = parseRulesConfig('- a\n- b');
  assert.equal(list.ok, false);
});

test('the example rules file is valid and its register compiles', () => {
  const text = readFileSync(new URL('../../../config/rules.example.yaml', import.meta.url), 'utf8');
  const r = parseRulesConfig(text, 'rules.example.yaml');
  assert.equal(r.ok, true, r.ok ? '' : r.reason);
  if (!r.ok) return;
  const c = compileConfig(r.value);
  assert.equal(c.isAgent('mms-automation'), true);
  assert.equal(c.isPrivileged('atlasAdmin@admin'), true);
  assert.equal(c.isPrivileged('read@sales'), false);
});
