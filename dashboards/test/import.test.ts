import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allSavedObjects, renderNdjson } from '../src/bundle.ts';
import { validateImport } from '../src/validate-import.ts';
import { dashboardSpecs } from '../src/dashboards-spec.ts';
import { duties } from '../src/shared-responsibility.ts';
import { toKql } from '../src/panel-spec.ts';
import type { SavedObject } from '../src/saved-object.ts';

const file = fileURLToPath(new URL('../atlas-audit.ndjson', import.meta.url));
const committed = readFileSync(file, 'utf8');

function mutate(edit: (objects: SavedObject[]) => void): string {
  const objects = structuredClone(allSavedObjects());
  edit(objects);
  return renderNdjson(objects);
}

function find(objects: SavedObject[], type: string): SavedObject {
  const found = objects.find((o) => o.type === type);
  assert.ok(found, type);
  return found;
}

test('the committed NDJSON is what the generator produces (run node dashboards/src/generate.ts)', () => {
  assert.equal(committed, renderNdjson());
});

test('every saved object passes the import checks', () => {
  assert.deepEqual(validateImport(committed), []);
  const types = new Map<string, number>();
  for (const o of allSavedObjects()) types.set(o.type, (types.get(o.type) ?? 0) + 1);
  assert.equal(types.get('dashboard'), 7);
  assert.equal(types.get('index-pattern'), 3);
  assert.ok((types.get('lens') ?? 0) >= 40);
});

test('there is one dashboard per SOC view, each with project, cluster and host controls', () => {
  const titles = dashboardSpecs.map((d) => d.title.replace('Atlas audit: ', ''));
  assert.deepEqual(titles, ['Overview', 'Authentication and access', 'Admin and privilege changes', 'Detections', 'Access review', 'Pipeline health', 'Shared responsibility']);
  for (const dashboard of allSavedObjects().filter((o) => o.type === 'dashboard')) {
    const controls = JSON.parse((dashboard.attributes['controlGroupInput'] as { panelsJSON: string }).panelsJSON) as Record<string, { explicitInput: { fieldName: string } }>;
    assert.deepEqual(Object.values(controls).map((c) => c.explicitInput.fieldName), ['cloud.project.id', 'service.name', 'host.name']);
  }
});

test('the shared responsibility dashboard covers each customer duty with at least two checks', () => {
  assert.deepEqual(duties.map((d) => d.title), ['Identity and access', 'Database access', 'Encryption', 'Auditing', 'Network access', 'Maintenance']);
  for (const duty of duties) assert.ok(duty.checks.length >= 2, duty.title);
});

test('KQL is rendered from the conditions', () => {
  assert.equal(toKql([{ field: 'event.outcome', anyOf: ['failure'] }, { field: 'a', anyOf: ['x', 'y'] }]), 'event.outcome : "failure" and a : ("x" or "y")');
  assert.equal(toKql([{ or: [{ field: 'a', anyOf: [true] }, { field: 'b', exists: true }] }]), 'a : true or b : *');
  assert.equal(toKql([{ not: { field: 'a', anyOf: [1] } }, { field: 'c', exists: true }]), 'not a : 1 and c : *');
});

const brokenCases: Array<[string, (objects: SavedObject[]) => void, RegExp]> = [
  ['a reference to an object not in the file', (o) => void find(o, 'lens').references.splice(0, 1, { type: 'index-pattern', id: 'nope', name: find(o, 'lens').references[0]?.name ?? '' }), /missing_references index-pattern:nope/],
  ['a duplicate type:id', (o) => void o.push(structuredClone(find(o, 'lens'))), /duplicate type:id/],
  ['an unsupported type', (o) => void (find(o, 'search').type = 'canvas-workpad'), /unsupported_type/],
  ['an attribute a dashboard does not allow', (o) => void (find(o, 'dashboard').attributes['panels'] = []), /attribute 'panels' is not allowed/],
  ['a JSON attribute that does not parse', (o) => void (find(o, 'dashboard').attributes['optionsJSON'] = '{nope'), /optionsJSON: is not valid JSON/],
  ['a panelRefName without its reference', (o) => {
    const d = find(o, 'dashboard');
    d.references = d.references.filter((r) => r.name !== 'p0:panel_p0');
  }, /panel p0 panelRefName 'panel_p0' matches no reference/],
  ['a newer typeMigrationVersion', (o) => void (find(o, 'lens').typeMigrationVersion = '10.9.0'), /more recent version of Kibana/],
  ['no typeMigrationVersion', (o) => void (find(o, 'index-pattern').typeMigrationVersion = ''), /typeMigrationVersion missing/],
  ['a Lens layer without its data view reference', (o) => void (find(o, 'lens').references = []), /has no indexpattern-datasource-layer reference/],
  ['a control without its data view reference', (o) => {
    const d = find(o, 'dashboard');
    d.references = d.references.filter((r) => !r.name.startsWith('controlGroup_'));
  }, /control .* has no data view reference/],
  ['a missing title', (o) => void delete find(o, 'lens').attributes['title'], /attributes.title missing/],
];

for (const [name, edit, expected] of brokenCases) {
  test(`the import check catches ${name}`, () => {
    const problems = validateImport(mutate(edit));
    assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} in ${JSON.stringify(problems.slice(0, 5))}`);
  });
}

test('the README lists every dashboard and every panel', () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  for (const dashboard of dashboardSpecs) {
    assert.ok(readme.includes(`### ${dashboard.title.replace('Atlas audit: ', '')}`), dashboard.title);
    for (const panel of dashboard.panels) if ('title' in panel) assert.ok(readme.includes(`| ${panel.title} |`), panel.title);
  }
});
