import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createLineSplitter } from '../src/core/line-splitter.ts';
import { forEachLine } from '../src/core/split-lines.ts';

const collect = (run: (on: (line: Buffer, n: number) => void) => void): [string, number][] => {
  const out: [string, number][] = [];
  run((line, n) => out.push([line.toString('latin1'), n]));
  return out;
};

test('streamed splitting equals whole-buffer splitting for any content and any chunking', () => {
  const content = fc.array(fc.oneof(fc.constantFrom('\n', '\r\n', '\r', 'a', '{', '"x"'), fc.string({ maxLength: 6 })), { maxLength: 40 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));
  fc.assert(
    fc.property(content, fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
      const whole = collect((on) => forEachLine(bytes, on));
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const streamed = collect((on) => {
        const splitter = createLineSplitter(on);
        let start = 0;
        for (const point of [...points, bytes.length]) {
          splitter.push(bytes.subarray(start, point));
          start = point;
        }
        splitter.end();
      });
      assert.deepEqual(streamed, whole);
    }),
    { numRuns: 2000 },
  );
});
