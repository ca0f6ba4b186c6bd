import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from './errors.ts';

/**
 * Config is validated once, completely: environment variables overlay an optional YAML file
 * (path in ATLAS_AUDIT_CONFIG), one zod schema checks the result, and every problem is listed
 * in one message. Values of secret settings never appear in a message.
 */

/** Maps a dotted config path to the environment variable that sets it. */
export type EnvBinding = { path: string; env: string; secret?: boolean; list?: boolean };

const csv = (value: string): string[] =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

/** A string that parses as a whole number, or a number. */
export const intFromEnv = (min: number, max: number) =>
  z.union([z.number(), z.string().regex(/^-?\d+$/, 'must be a whole number').transform(Number)]).pipe(z.number().int().min(min).max(max));

/** 'true'/'false' from the environment, or a boolean. */
export const boolFromEnv = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

export const kafkaConfigSchema = z.object({
  brokers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')).min(1),
  clientId: z.string().min(1).default('atlas-audit'),
  /** Which client library the services use behind the project's Kafka interface (docs/benchmarks.md). */
  client: z.enum(['kafkajs', 'platformatic']).default('kafkajs'),
  ssl: boolFromEnv.default(false),
  sasl: z
    .object({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string().min(1),
      password: z.string().min(1),
    })
    .optional(),
});

export const elasticsearchConfigSchema = z.object({
  url: z.url(),
  apiKey: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  caFile: z.string().min(1).optional(),
  rejectUnauthorized: boolFromEnv.default(true),
});

export const mongodbConfigSchema = z.object({
  uri: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI'),
  database: z.string().min(1).default('atlas_audit'),
});

export const logConfigSchema = z.object({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).prefault({});

export const httpConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: intFromEnv(0, 65535).default(0),
}).prefault({});

/** Environment bindings shared by every service. */
export const commonEnvBindings: readonly EnvBinding[] = [
  { path: 'kafka.brokers', env: 'KAFKA_BROKERS', list: true },
  { path: 'kafka.clientId', env: 'KAFKA_CLIENT_ID' },
  { path: 'kafka.client', env: 'KAFKA_CLIENT' },
  { path: 'kafka.ssl', env: 'KAFKA_SSL' },
  { path: 'kafka.sasl.mechanism', env: 'KAFKA_SASL_MECHANISM' },
  { path: 'kafka.sasl.username', env: 'KAFKA_SASL_USERNAME' },
  { path: 'kafka.sasl.password', env: 'KAFKA_SASL_PASSWORD', secret: true },
  { path: 'elasticsearch.url', env: 'ELASTICSEARCH_URL' },
  { path: 'elasticsearch.apiKey', env: 'ELASTICSEARCH_API_KEY', secret: true },
  { path: 'elasticsearch.username', env: 'ELASTICSEARCH_USERNAME' },
  { path: 'elasticsearch.password', env: 'ELASTICSEARCH_PASSWORD', secret: true },
  { path: 'elasticsearch.caFile', env: 'ELASTICSEARCH_CA_FILE' },
  { path: 'elasticsearch.rejectUnauthorized', env: 'ELASTICSEARCH_TLS_REJECT_UNAUTHORIZED' },
  { path: 'mongodb.uri', env: 'MONGODB_URI', secret: true },
  { path: 'mongodb.database', env: 'MONGODB_DATABASE' },
  { path: 'log.level', env: 'LOG_LEVEL' },
  { path: 'http.host', env: 'HTTP_HOST' },
  { path: 'http.port', env: 'HTTP_PORT' },
];

export type ConfigSource = {
  env: Record<string, string | undefined>;
  /** YAML text of the optional config file, already read. */
  fileText?: string;
  fileName?: string;
};

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) collectStrings(item, into);
}

function getPath(source: unknown, path: string): unknown {
  let node: unknown = source;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Replaces every occurrence of any secret value in `text` with [REDACTED]. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}

/**
 * Builds the raw config object from a YAML file and environment bindings (env wins),
 * validates it with `schema`, and returns the parsed config. Throws one AppError
 * (code CONFIG_INVALID) listing every problem; secret values never appear in it.
 */
export function parseConfig<S extends z.ZodType>(schema: S, bindings: readonly EnvBinding[], source: ConfigSource): z.output<S> {
  const problems: string[] = [];
  let raw: Record<string, unknown> = {};
  if (source.fileText !== undefined) {
    try {
      const parsed: unknown = parseYaml(source.fileText);
      if (parsed !== null && parsed !== undefined) {
        if (typeof parsed !== 'object' || Array.isArray(parsed)) problems.push(`${source.fileName ?? 'config file'}: must be a YAML mapping`);
        else raw = parsed as Record<string, unknown>;
      }
    } catch (err) {
      problems.push(`${source.fileName ?? 'config file'}: not valid YAML (${err instanceof Error ? err.message.split('\n')[0] : 'parse error'})`);
    }
  }
  const secrets: string[] = [];
  for (const binding of bindings) {
    const value = source.env[binding.env];
    if (binding.secret) collectStrings(getPath(raw, binding.path), secrets);
    if (value === undefined || value === '') continue;
    if (binding.secret) secrets.push(value);
    setPath(raw, binding.path, binding.list ? csv(value) : value);
  }
  const envByPath = new Map(bindings.map((b) => [b.path, b.env]));
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join('.');
      const env = envByPath.get(path) ?? envByPath.get(issue.path.slice(0, -1).map(String).join('.'));
      problems.push(`${path || '(root)'}${env ? ` (${env})` : ''}: ${issue.message}`);
    }
  }
  if (problems.length > 0) {
    const message = redactSecrets(`invalid configuration, ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`, secrets);
    throw new AppError(message, { code: 'CONFIG_INVALID', retryable: false, details: { problems: problems.map((p) => redactSecrets(p, secrets)) } });
  }
  return (result as { success: true; data: z.output<S> }).data;
}

/** Reads the optional config file named by ATLAS_AUDIT_CONFIG and parses the config (see parseConfig). */
export function loadConfig<S extends z.ZodType>(schema: S, bindings: readonly EnvBinding[], env: Record<string, string | undefined> = process.env): z.output<S> {
  const fileName = env['ATLAS_AUDIT_CONFIG'];
  let fileText: string | undefined;
  if (fileName !== undefined && fileName !== '') {
    try {
      fileText = readFileSync(fileName, 'utf8');
    } catch (err) {
      throw new AppError(`invalid configuration, 1 problem(s):\n  - ATLAS_AUDIT_CONFIG: cannot read ${fileName}`, { code: 'CONFIG_INVALID', retryable: false, cause: err });
    }
  }
  return parseConfig(schema, bindings, fileName === undefined ? { env } : { env, fileText: fileText ?? '', fileName });
}

/** Paths whose values are secrets: the logger redacts them wherever a config object is logged. */
export function secretPaths(bindings: readonly EnvBinding[]): string[] {
  return bindings.filter((b) => b.secret).map((b) => b.path);
}
