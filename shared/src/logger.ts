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
