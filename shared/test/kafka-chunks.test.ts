import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { OutgoingMessage } from '../src/kafka.ts';
import { MAX_PRODUCE_BYTES, chunkMessages, messageBytes } from '../src/kafka-chunks.ts';

const messageArb: fc.Arbitrary<OutgoingMessage> = fc.record({
  key: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  value: fc.oneof(fc.string({ maxLength: 3_000 }), fc.uint8Array({ maxLength: 3_000 }).map((a) => Buffer.from(a))),
  headers: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }), { nil: undefined }),
}).map((m) => (m.headers === undefined ? { key: m.key, value: m.value } : { key: m.key, value: m.value, headers: m.headers }));

test('chunkMessages keeps every message once, in order, in runs of at most maxBytes (a larger message alone)', () => {
  fc.assert(
    fc.property(fc.array(messageArb, { maxLength: 60 }), fc.integer({ min: 100, max: 20_000 }), (messages, maxBytes) => {
      const chunks = chunkMessages(messages, maxBytes);
      assert.deepEqual(chunks.flat(), messages);
      for (const chunk of chunks) {
        assert.ok(chunk.length > 0);
        const bytes = chunk.reduce((sum, m) => sum + messageBytes(m), 0);
        assert.ok(bytes <= maxBytes || chunk.length === 1, `a run of ${chunk.length} messages weighs ${bytes} > ${maxBytes}`);
      }
      // Greedy: no run could have taken the next run's first message.
      for (let i = 0; i + 1 < chunks.length; i++) {
        const bytes = (chunks[i] as OutgoingMessage[]).reduce((sum, m) => sum + messageBytes(m), 0);
        assert.ok(bytes + messageBytes((chunks[i + 1] as OutgoingMessage[])[0] as OutgoingMessage) > maxBytes);
      }
    }),
    { numRuns: 500 },
  );
});

test('messageBytes counts UTF-8 bytes of value, key and headers; the default limit is under the broker default of 1,048,588', () => {
  const small = messageBytes({ key: null, value: '' });
  assert.equal(messageBytes({ key: 'é', value: '€' }), small + 2 + 3);
  assert.ok(messageBytes({ key: null, value: '', headers: { a: 'bc' } }) >= small + 3);
  assert.ok(MAX_PRODUCE_BYTES < 1_048_588);
  assert.deepEqual(chunkMessages([]), []);
});
