/** Lines longer than this are cut into pieces (each then fails to parse) so memory stays bounded. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Splits a stream of chunks into lines exactly as `forEachLine` splits the whole buffer: LF or
 * CRLF endings, the last line may lack a newline, zero-length lines are skipped, line numbers are
 * 1-based file lines. A line may span any number of chunks. Call `end()` after the last chunk.
 */
export function createLineSplitter(onLine: (line: Buffer, lineNumber: number) => void): { push(chunk: Buffer): void; end(): void } {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let lineNumber = 0;
  const emit = (line: Buffer): void => {
    lineNumber += 1;
    const stop = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
    if (stop > 0) onLine(stop === line.length ? line : line.subarray(0, stop), lineNumber);
  };
  const takeCarry = (tail: Buffer): Buffer => {
    const line = carry.length === 0 ? tail : Buffer.concat([...carry, tail]);
    carry = [];
    carryBytes = 0;
    return line;
  };
  return {
    push(chunk) {
      let start = 0;
      let end = chunk.indexOf(10);
      if (end !== -1 && carry.length > 0) {
        emit(takeCarry(chunk.subarray(0, end)));
        start = end + 1;
        end = chunk.indexOf(10, start);
      }
      while (end !== -1) {
        emit(chunk.subarray(start, end));
        start = end + 1;
        end = chunk.indexOf(10, start);
      }
      if (start < chunk.length) {
        // Copied: a view would pin the whole chunk in memory until the line ends.
        carry.push(Buffer.from(chunk.subarray(start)));
        carryBytes += chunk.length - start;
        if (carryBytes > MAX_LINE_BYTES) emit(takeCarry(Buffer.alloc(0)));
      }
    },
    end() {
      if (carry.length > 0) emit(takeCarry(Buffer.alloc(0)));
    },
  };
}
