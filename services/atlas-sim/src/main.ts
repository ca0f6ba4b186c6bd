// Atlas Admin API simulator process. Reads: SIM_HOST, SIM_PORT, SIM_SCENARIO (YAML path),
// SIM_SEED, SIM_API_KEYS ("pub:priv,…"), SIM_SERVICE_ACCOUNTS ("clientId:secret,…"),
// SIM_TOKEN_TTL_SECONDS, SIM_CLOCK ("real" or an ISO instant), SIM_CLOCK_SPEED,
// SIM_NONCE_TTL_SECONDS, SIM_FAULTS / SIM_LATE_LINES / SIM_RATE_LIMITS (JSON, applied at start),
// SIM_CONTROL_PORT (test-only control surface; off when unset), LOG_LEVEL.
// Writes: HTTP responses, pino logs to stdout. SIGTERM/SIGINT close both servers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createLogger, logProcessWarnings } from '@atlas-audit/shared/logger';
import { faultSchema, lateSchema, rateSchema, startControlServer } from './control-http.ts';
import { startAtlasSim, type ClockOption } from './server.ts';

const pairList = z.string().transform((text, ctx) => {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const colon = part.indexOf(':');
    if (colon <= 0 || colon === part.length - 1) {
      ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of id:secret' });
      return z.NEVER;
    }
    out[part.slice(0, colon)] = part.slice(colon + 1);
  }
  return out;
});
const int = (min: number, max: number) => z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

const jsonOf = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

const envSchema = z.object({
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_PORT: int(0, 65535).default(8080),
  SIM_SCENARIO: z.string().min(1).default(fileURLToPath(new URL('../scenarios/demo.yaml', import.meta.url))),
  SIM_SEED: int(0, 2 ** 31).optional(),
  SIM_API_KEYS: pairList.default({}),
  SIM_SERVICE_ACCOUNTS: pairList.default({}),
  SIM_TOKEN_TTL_SECONDS: int(1, 86400).default(3600),
  SIM_CLOCK: z.union([z.literal('real'), z.iso.datetime({ offset: true })]).default('real'),
  SIM_CLOCK_SPEED: z.string().regex(/^\d+(\.\d+)?$/, 'must be a number ≥ 0').transform(Number).default(1),
  SIM_NONCE_TTL_SECONDS: int(1, 86400).default(300),
  SIM_FAULTS: jsonOf(z.array(faultSchema)).default([]),
  SIM_LATE_LINES: jsonOf(lateSchema).optional(),
  SIM_RATE_LIMITS: jsonOf(z.array(rateSchema)).default([]),
  SIM_CONTROL_PORT: int(1, 65535).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    // Messages name variables, never their values (some are secrets).
    process.stderr.write(`atlas-sim: invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    process.exit(2);
  }
  const env = parsed.data;
  const log = createLogger({ name: 'atlas-sim', level: env.LOG_LEVEL });
  logProcessWarnings(log);
  if (Object.keys(env.SIM_API_KEYS).length === 0 && Object.keys(env.SIM_SERVICE_ACCOUNTS).length === 0) log.warn({}, 'no credentials configured: every request will get 401');
  const clock: ClockOption = env.SIM_CLOCK === 'real' ? { mode: 'real' } : { mode: 'offset', startAt: env.SIM_CLOCK, speed: env.SIM_CLOCK_SPEED };
  const sim = await startAtlasSim({
    scenario: readFileSync(env.SIM_SCENARIO, 'utf8'),
    ...(env.SIM_SEED === undefined ? {} : { seed: env.SIM_SEED }),
    host: env.SIM_HOST,
    port: env.SIM_PORT,
    apiKeys: env.SIM_API_KEYS,
    serviceAccounts: env.SIM_SERVICE_ACCOUNTS,
    tokenTtlSeconds: env.SIM_TOKEN_TTL_SECONDS,
    nonceTtlMs: env.SIM_NONCE_TTL_SECONDS * 1000,
    faults: env.SIM_FAULTS.map(({ durationMs, ...rest }) => (durationMs === undefined ? rest : { ...rest, untilMs: Date.now() + durationMs })),
    rateLimits: Object.fromEntries(env.SIM_RATE_LIMITS.map((r) => [r.endpoint, { capacity: r.capacity, refillRate: r.refillRate, refillDurationSeconds: r.refillDurationSeconds }])),
    clock,
    logger: log,
  });
  if (env.SIM_LATE_LINES !== undefined) sim.control.setLateLines({ ...env.SIM_LATE_LINES, sinceMs: env.SIM_LATE_LINES.sinceMs ?? sim.control.now() });
  const control = env.SIM_CONTROL_PORT === undefined ? undefined : await startControlServer(sim.control, { host: env.SIM_HOST, port: env.SIM_CONTROL_PORT });
  if (control !== undefined) log.warn({ url: control.url }, 'test-only control surface enabled');
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => process.exit(1), 10000);
    deadline.unref();
    Promise.all([sim.close(), control?.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
