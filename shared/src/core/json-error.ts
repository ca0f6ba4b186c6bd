/**
 * The reason for text that JSON.parse refused, without the text itself. V8's messages for an
 * unexpected token quote the input around it (`Unexpected token 'x', ..."ssn": "123-4"... is
 * not valid JSON`, or the whole input when it is short), and a malformed audit line or Kafka
 * record can hold customer data or credentials there. Reasons go to logs, stderr summaries,
 * metrics labels and indexed dead letters, so only the kind of error and its position stay;
 * the dead letter keeps the raw bytes for whoever may read them.
 */
export function jsonErrorReason(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  // "Expected ',' or '}' after property value in JSON at position 59 (line 1 column 60)" and the
  // like name a position and no content; keep them (without V8's line/column suffix: one line).
  const positioned = /^[^"]*? JSON at position \d+/.exec(message);
  if (positioned !== null) return positioned[0].replace(' in JSON at', ' at');
  if (message === 'Unexpected end of JSON input') return message;
  if (message.startsWith('Unexpected token')) return 'Unexpected token (input withheld)';
  return 'not valid JSON (input withheld)';
}
