/**
 * Calls `onLine(bytes, lineNumber)` for each line of `buffer` (LF or CRLF endings, the last line
 * may lack a newline). Zero-length lines are skipped; line numbers stay 1-based file lines.
 * The bytes are views into `buffer`, not copies.
 */
export function forEachLine(buffer: Buffer, onLine: (line: Buffer, lineNumber: number) => void): void {
  let start = 0;
  let lineNumber = 0;
  const length = buffer.length;
  while (start < length) {
    let end = buffer.indexOf(10, start);
    if (end === -1) end = length;
    lineNumber += 1;
    let stop = end;
    if (stop > start && buffer[stop - 1] === 13) stop -= 1;
    if (stop > start) onLine(buffer.subarray(start, stop), lineNumber);
    start = end + 1;
  }
}
