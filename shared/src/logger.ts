import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Key names whose values are never logged, at any depth pino can address. */
const secretKeys = ['password', 'apiKey', 'privateKey', 'clientSecret', 'token', 'accessToken', 'access_token', 'authorization', 'Authorization', 'uri', 'secret', 'hecToken', 'hmacSecret'];

/** Redaction paths: each secret key at the top level and up to three levels deep. */
export const redactPaths: string[] = secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`, `headers.${key.toLowerCase()}`]);

/**
 * Creates the pino JSON logger of a service: object first, constant message second,
 * errors under `err`, secrets censored. `destination` defaults to stdout.
 */
export function createLogger(options: { name: string; level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      base: { service: options.name },
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      serializers: { err: pino.stdSerializers.err },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? process.stdout,
  );
}

/**
 * Sends the process's warnings to the JSON log (`process warning`, with name, code and message)
 * instead of Node's plain-text lines on stderr, so a service's output stays one JSON object per
 * line. Replaces Node's default warning printer; call once, from a service's main.
 *
 * kafkajs 2.2.4 schedules its idle request-queue check with a negative delay (`throttledUntil`
 * starts at -1), which Node 22+ clamps to 1 ms and reports as TimeoutNegativeWarning on every
 * broker connection: harmless and not ours to act on, so it is logged at debug level only.
 */
export function logProcessWarnings(log: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: unknown }) => {
    const fields = { warning: { name: warning.name, ...(typeof warning.code === 'string' ? { code: warning.code } : {}), message: warning.message } };
    if (warning.name === 'TimeoutNegativeWarning') log.debug(fields, 'process warning');
    else log.warn(fields, 'process warning');
  });
}
