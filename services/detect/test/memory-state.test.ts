import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryState } from '../src/core/state/memory.ts';

test('memory state: get/set/delete by namespace and key, dirty entries listed once until markClean', () => {
  const s = createMemoryState();
  s.set('a', 'k1', 1);
  s.set('b', 'k1', { x: 2 });
  s.set('a', 'k2', [3]);
  s.set('a', 'k1', 4);
  assert.equal(s.get('a', 'k1'), 4);
  assert.deepEqual(s.get('b', 'k1'), { x: 2 });
  assert.equal(s.get('b', 'k2'), undefined);
  assert.deepEqual(s.changes().map((c) => `${c.namespace}/${c.key}=${JSON.stringify(c.value)}`).sort(), ['a/k1=4', 'a/k2=[3]', 'b/k1={"x":2}']);
  s.markClean();
  assert.deepEqual(s.changes(), []);
  s.delete('a', 'k1');
  assert.equal(s.get('a', 'k1'), undefined);
  assert.deepEqual(s.changes().map((c) => `${c.namespace}/${c.key}=${String(c.value === undefined ? 'deleted' : JSON.stringify(c.value))}`).sort(), ['a/k1=deleted', 'b/k1={"x":2}']);
  assert.equal(s.size(), 2);
});

test('memory state: load does not mark entries dirty and round-trips entries()', () => {
  const s = createMemoryState();
  s.load([{ namespace: 'n', key: 'k', value: 1 }, { namespace: 'm', key: 'k', value: 2 }]);
  assert.deepEqual(s.changes(), []);
  const t = createMemoryState();
  t.load(s.entries());
  assert.equal(t.get('n', 'k'), 1);
  assert.equal(t.get('m', 'k'), 2);
  s.delete('n', 'k');
  s.delete('m', 'k');
  assert.equal(s.size(), 0);
  assert.equal(s.get('m', 'k'), undefined);
});
