import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { alertSchema } from '@atlas-audit/shared/schema/alert';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { JsonObject } from '@atlas-audit/shared/schema/json-value';
import { access, activity, audit, diff, harness, snapshot } from './fixtures.ts';

const atypes = ['authenticate', 'createUser', 'grantRolesToUser', 'updateUser', 'dropDatabase', 'dropCollection', 'find', 'shutdown', 'directAuthMutation'];
const eventTypes = ['NETWORK_PERMISSION_ENTRY_ADDED', 'ORG_TWO_FACTOR_AUTH_OPTIONAL', 'API_KEY_CREATED', 'INVITED_TO_ORG', 'JOINED_GROUP', 'DATA_EXPLORER_CRUD', 'AUDIT_LOG_CONFIGURATION_UPDATED', 'USER_ROLES_CHANGED_AUDIT', 'SUCCESSFUL_LOGIN_AUDIT', 'UNSUCCESSFUL_LOGIN_AUDIT', 'CLUSTER_DELETE_SUBMITTED'];
const users = ['app_svc', 'dba_ops', 'mms-automation', '', 'a@b.test', 'x@example.com'];
const roles = ['readWrite@sales', 'atlasAdmin@admin', 'root', 'GROUP_OWNER', 'read@*'];
const json = fc.jsonValue({ maxDepth: 2 });

const eventArb: fc.Arbitrary<AtlasEvent> = fc.oneof(
  fc.record({ u: fc.constantFrom(...users), ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('not-an-ip')), t: fc.integer({ min: 0, max: 90 * 86_400 }), ok: fc.boolean() })
    .map(({ u, ip, t, ok }) => access(u === '' ? 'anon' : u, ip, new Date(Date.UTC(2025, 0, 1) + t * 1000).toISOString(), { ok })),
  fc.record({ a: fc.constantFrom(...atypes), u: fc.constantFrom(...users), ip: fc.ipV4(), t: fc.integer({ min: 0, max: 90 * 86_400 }), r: fc.subarray(roles), result: fc.constantFrom(0, 13, 18, 26), target: fc.constantFrom(...users), pr: fc.subarray(roles) })
    .map(({ a, u, ip, t, r, result, target, pr }) => audit(a, u, new Date(Date.UTC(2025, 0, 1) + t * 1000).toISOString(), { ip, roles: r, result, param: { user: target, db: 'admin', roles: pr.map((x) => ({ role: x.split('@')[0] ?? x, db: 'admin' })) } })),
  fc.record({ e: fc.constantFrom(...eventTypes), u: fc.constantFrom(...users), t: fc.integer({ min: 0, max: 90 * 86_400 }), entry: fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '203.0.113.7', 'garbage'), target: fc.constantFrom(...users), tr: fc.subarray(roles) })
    .map(({ e, u, t, entry, target, tr }) => activity(e, u, new Date(Date.UTC(2025, 0, 1) + t * 1000).toISOString(), { entry, ...(target === '' ? {} : { target }), targetRoles: tr })),
  fc.record({ k: fc.constantFrom('database_user', 'audit_log', 'access_list_entry', 'maintenance_window', 'encryption_at_rest') as fc.Arbitrary<'database_user' | 'audit_log' | 'access_list_entry' | 'maintenance_window' | 'encryption_at_rest'>, s: fc.dictionary(fc.constantFrom('enabled', 'roles', 'cidrBlock', 'username', 'dayOfWeek', 'awsKms', 'auditFilter'), json), b: fc.dictionary(fc.constantFrom('enabled', 'roles', 'auditFilter'), json), t: fc.integer({ min: 0, max: 90 * 86_400 }), isDiff: fc.boolean() })
    .map(({ k, s, b, t, isDiff }) => {
      const at = new Date(Date.UTC(2025, 0, 1) + t * 1000).toISOString();
      return isDiff ? diff(k, 'changed', 'r', b as JsonObject, s as JsonObject, at) : snapshot(k, 'r', s as JsonObject, at);
    }),
);

test('any sequence of valid events: the engine never throws and every alert is valid with a unique id (property)', () => {
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
      const sorted = [...events].sort((x, y) => (x['@timestamp'] < y['@timestamp'] ? -1 : 1));
      const alerts = harness().run(sorted);
      for (const a of alerts) {
        const r = alertSchema.safeParse(a);
        assert.ok(r.success, JSON.stringify(r.error?.issues));
      }
      assert.equal(new Set(alerts.map((a) => a.event.id)).size, alerts.length);
    }),
    { numRuns: 150 },
  );
});
