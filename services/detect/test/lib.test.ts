import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cidrContains, parseCidr, parseIp, prefixOf } from '../src/core/lib/ip.ts';
import { judgeBusinessHours } from '../src/core/lib/business-hours.ts';
import { compileGlob } from '../src/core/lib/glob.ts';
import { compileRolePattern, roleMatches } from '../src/core/lib/roles.ts';
import { timestampMs } from '../src/core/lib/event-facts.ts';

const prefixCases: Array<[string, string | undefined]> = [
  ['203.0.113.45', '203.0.113.0/24'],
  ['10.1.2.3', '10.1.2.0/24'],
  ['::ffff:198.51.100.7', '198.51.100.0/24'],
  ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
  ['2001:db8::1', '2001:db8::/64'],
  ['fe80::1%eth0', 'fe80::/64'],
  ['256.1.1.1', undefined],
  ['not-an-ip', undefined],
  ['1:2:3', undefined],
];
for (const [ip, want] of prefixCases) {
  test(`prefixOf(${ip}) is ${String(want)}`, () => assert.equal(prefixOf(ip), want));
}

test('every IPv4 address lies inside its own /24 prefix (property)', () => {
  fc.assert(fc.property(fc.ipV4(), (ip) => {
    const p = prefixOf(ip);
    assert.ok(p !== undefined);
    const cidr = parseCidr(p);
    assert.ok(cidr !== undefined);
    return cidrContains(cidr, ip);
  }));
});

test('every IPv6 address lies inside its own /64 prefix (property)', () => {
  fc.assert(fc.property(fc.ipV6(), (ip) => {
    const p = prefixOf(ip);
    if (parseIp(ip)?.version === 4) return true;
    assert.ok(p !== undefined, ip);
    const cidr = parseCidr(p);
    assert.ok(cidr !== undefined, p);
    return cidrContains(cidr, ip);
  }));
});

test('parseIp never throws on arbitrary strings (property)', () => {
  fc.assert(fc.property(fc.string(), (s) => {
    parseIp(s);
    prefixOf(s);
    parseCidr(s);
    return true;
  }));
});

test('business hours spanning midnight (22:00–06:00 night shift)', () => {
  const cal = { timeZone: 'America/New_York', days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '22:00', end: '06:00', holidays: [] };
  assert.equal(judgeBusinessHours(Date.parse('2025-03-11T03:30:00Z'), { ...cal, days: [...cal.days] }).inside, true); // 23:30 EDT Mon
  assert.equal(judgeBusinessHours(Date.parse('2025-03-11T15:00:00Z'), { ...cal, days: [...cal.days] }).inside, false);
});

test('New York DST: 12:30Z is 07:30 EST before the change and 08:30 EDT after', () => {
  const cal = { timeZone: 'America/New_York', days: ['mon', 'tue', 'wed', 'thu', 'fri'] as Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri'>, start: '08:00', end: '17:00', holidays: [] };
  assert.equal(judgeBusinessHours(Date.parse('2025-03-07T12:30:00Z'), cal).inside, false);
  assert.equal(judgeBusinessHours(Date.parse('2025-03-10T12:30:00Z'), cal).inside, true);
});

test('globs and role patterns', () => {
  assert.equal(compileGlob('app_*').test('app_svc'), true);
  assert.equal(compileGlob('app_*').test('xapp_svc'), false);
  assert.equal(compileGlob('a.b').test('axb'), false);
  assert.equal(roleMatches(compileRolePattern('read@*'), 'read@sales'), true);
  assert.equal(roleMatches(compileRolePattern('atlasAdmin'), 'atlasAdmin@admin'), true);
  assert.equal(roleMatches(compileRolePattern('readWrite@sales'), 'readWrite@hr'), false);
});

test('timestampMs agrees with Date.parse on every millisecond-precision UTC timestamp (property)', () => {
  fc.assert(fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
    const iso = d.toISOString();
    return timestampMs(iso) === Date.parse(iso);
  }));
  assert.ok(Number.isNaN(timestampMs('2025-13-45T99:00:00.000Z')));
  assert.equal(timestampMs('2025-03-04T14:07:12+01:00'), Date.parse('2025-03-04T14:07:12+01:00'));
});

test('the IPv4 fast path and the general path agree on every address (property)', () => {
  fc.assert(fc.property(fc.ipV4(), (ip) => prefixOf(ip) === prefixOf(ip, 24, 64) && prefixOf(ip) === `${ip.split('.').slice(0, 3).join('.')}.0/24`));
  assert.equal(prefixOf('010.1.2.3'), '10.1.2.0/24');
});
