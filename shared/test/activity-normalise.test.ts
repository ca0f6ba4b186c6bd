import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { knownEventTypes, mapEventType } from '@atlas-audit/shared/core/event-type-map';
import { eventCategories, eventTypes } from '@atlas-audit/shared/schema/event';
import { expectEvent, readJsonFixture } from './helpers.ts';

const results = (name: string): Record<string, unknown>[] => (readJsonFixture(`events/${name}`) as { results: Record<string, unknown>[] }).results;
const page1 = results('project-events-page-1.json');
const page2 = results('project-events-page-2.json');
const org = results('org-events.json');

type Row = { doc: Record<string, unknown> | undefined; category: string[]; type: string[]; outcome: string; user?: string; target?: string; ip?: string };

const table: [string, Row][] = [
  ['MONGODB_USER_ADDED by an API key', { doc: page1[0], category: ['iam'], type: ['user', 'creation'], outcome: 'success', user: 'nmtxqlkl', target: 'CN=user389', ip: '52.161.45.225' }],
  ['NETWORK_PERMISSION_ENTRY_ADDED', { doc: page1[1], category: ['configuration', 'network'], type: ['creation'], outcome: 'success', user: 'dba@example.com', ip: '198.51.100.23' }],
  ['AUDIT_LOG_CONFIGURATION_UPDATED', { doc: page1[2], category: ['configuration'], type: ['change'], outcome: 'success', user: 'dba@example.com' }],
  ['DATA_EXPLORER_CRUD', { doc: page1[3], category: ['database'], type: ['access', 'change'], outcome: 'success' }],
  ['MONGODB_ROLE_UPDATED', { doc: page2[0], category: ['iam'], type: ['group', 'change'], outcome: 'success' }],
  ['an unknown event type', { doc: page2[1], category: ['configuration'], type: ['info'], outcome: 'unknown' }],
  ['ORG_TWO_FACTOR_AUTH_OPTIONAL', { doc: org[0], category: ['configuration', 'iam'], type: ['change'], outcome: 'success' }],
  ['INVITED_TO_ORG', { doc: org[1], category: ['iam'], type: ['user', 'creation'], outcome: 'success', target: 'mallory@evil.example' }],
  ['USER_ROLES_CHANGED_AUDIT', { doc: org[2], category: ['iam'], type: ['user', 'change', 'admin'], outcome: 'success' }],
  ['ORG_PUBLIC_API_ACCESS_LIST_NOT_REQUIRED', { doc: org[3], category: ['configuration', 'network'], type: ['change'], outcome: 'success' }],
  ['FEDERATION_SETTINGS_UPDATED (family)', { doc: org[4], category: ['configuration', 'iam'], type: ['change'], outcome: 'success' }],
  ['API_KEY_CREATED', { doc: org[5], category: ['iam'], type: ['user', 'creation'], outcome: 'success', target: 'abcdefgh' }],
];

for (const [name, row] of table) {
  test(`activity ${name} maps to ${row.category.join('+')}/${row.type.join('+')}/${row.outcome}`, () => {
    const event = expectEvent(normaliseActivityEvent(row.doc, {}));
    assert.equal(event.event.dataset, 'atlas.activity');
    assert.equal(event.event.action, row.doc?.['eventTypeName']);
    assert.equal(event.atlas.event_type, row.doc?.['eventTypeName']);
    assert.deepEqual(event.event.category, row.category);
    assert.deepEqual(event.event.type, row.type);
    assert.equal(event.event.outcome, row.outcome);
    if (row.user !== undefined) assert.equal(event.user?.name, row.user);
    if (row.target !== undefined) assert.equal(event.user?.target?.name, row.target);
    if (row.ip !== undefined) assert.deepEqual(event.source, { ip: row.ip });
    assert.equal(event.atlas.activity?.id, row.doc?.['id']);
  });
}

test('actor, account and Atlas details are carried', () => {
  const event = expectEvent(normaliseActivityEvent(page1[1], {}));
  assert.deepEqual(event.user, { name: 'dba@example.com', domain: 'atlas', id: '5f0c0ffee0ddba11ab1e0001', email: 'dba@example.com' });
  assert.deepEqual(event.cloud, { provider: 'mongodb_atlas', account: { id: '65f0c0ffee0ddba11ab10000' }, project: { id: '65f0c0ffee0ddba11ab1e5e1' } });
  assert.equal(event.atlas.activity?.access_list_entry, '0.0.0.0/0');
  const explorer = expectEvent(normaliseActivityEvent(page1[3], {}));
  assert.deepEqual(explorer.service, { name: 'Cluster0', type: 'mongodb' });
  assert.equal(explorer.atlas.activity?.op_type, 'DELETE');
  const apiKey = expectEvent(normaliseActivityEvent(org[5], {}));
  assert.equal(apiKey.atlas.activity?.description, 'API Key Created');
});

test('the same Atlas event from the project feed and the org feed has one id', () => {
  const fromProject = expectEvent(normaliseActivityEvent(page1[1], { project: '65f0c0ffee0ddba11ab1e5e1' }));
  const fromOrg = expectEvent(normaliseActivityEvent({ ...page1[1], groupId: undefined }, { org: '65f0c0ffee0ddba11ab10000' }));
  assert.equal(fromProject.event.id, fromOrg.event.id);
});

test('every exactly mapped event type uses ECS values only', () => {
  for (const name of knownEventTypes) {
    const mapping = mapEventType(name);
    assert.ok(mapping.category.every((c) => (eventCategories as readonly string[]).includes(c)), name);
    assert.ok(mapping.type.every((t) => (eventTypes as readonly string[]).includes(t)), name);
  }
  assert.equal(mapEventType('UNSUCCESSFUL_LOGIN_AUDIT').outcome, 'failure');
  assert.deepEqual(mapEventType('SOMETHING_NEW_DELETED').type, ['deletion']);
  assert.equal(mapEventType('SOMETHING_NEW_DELETED').known, false);
});

test('unusable activity events give reasons', () => {
  for (const [doc, reason] of [
    [page2[2], /created/],
    [{ created: '2025-03-04T13:00:00Z', eventTypeName: 'X' }, /id/],
    [{ id: 'a', created: '2025-03-04T13:00:00Z' }, /eventTypeName/],
    [42, /not an object/],
  ] as const) {
    const result = normaliseActivityEvent(doc, {});
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.reason, reason);
  }
});
