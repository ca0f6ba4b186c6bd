import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@atlas-audit/test/env';

/**
 * A pipeline service (`services/<name>/src/main.ts`) run as a real child process for the fault
 * matrix: its JSON log lines are kept (and appended to `test-output/<logName>.log`), and the
 * test can wait for a log message, kill it with any signal and restart it with the same env.
 */
export type ServiceName = 'ingest' | 'detect' | 'indexer' | 'siem';

export type ServiceProcess = {
  readonly name: ServiceName;
  /** Every log line of every incarnation, parsed where it is JSON. */
  readonly lines: Array<Record<string, unknown>>;
  /** The current incarnation. */
  child(): ChildProcessWithoutNullStreams;
  /** Resolves with the first log line (of the current incarnation) whose `msg` is `msg`, within `timeoutMs`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Lines of the current incarnation. */
  current(): Array<Record<string, unknown>>;
  /** The service's HTTP base URL (from its start line), of the current incarnation. */
  url(): Promise<string>;
  /** Sends `signal` and waits for the exit; resolves with the exit code (null when killed by a signal). */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** Starts a new incarnation with the same env. */
  restart(): void;
};

const logDir = fileURLToPath(new URL('../../test-output/', import.meta.url));

/** Spawns `services/<name>/src/main.ts` on this Node.js with exactly `env` (plus PATH, and KAFKA_CLIENT when set). */
export function startService(name: ServiceName, env: Record<string, string>, logName: string = name): ServiceProcess {
  mkdirSync(logDir, { recursive: true });
  const main = fileURLToPath(new URL(`../../services/${name}/src/main.ts`, import.meta.url));
  const out = createWriteStream(`${logDir}${logName}.log`, { flags: 'a' });
  const lines: Array<Record<string, unknown>> = [];
  let child: ChildProcessWithoutNullStreams;
  let firstLine = 0;
  const launch = (): void => {
    firstLine = lines.length;
    // KAFKA_CLIENT passes through, so the whole matrix can run on either Kafka client library.
    const client = process.env['KAFKA_CLIENT'];
    child = spawn(process.execPath, [main], { env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', HTTP_PORT: '0', ...(client ? { KAFKA_CLIENT: client } : {}), ...env } });
    const keep = (line: string): void => {
      out.write(`${line}\n`);
      try {
        const parsed = JSON.parse(line) as unknown;
        lines.push(typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { msg: line });
      } catch {
        lines.push({ msg: line, raw: true });
      }
    };
    createInterface({ input: child.stdout }).on('line', keep);
    createInterface({ input: child.stderr }).on('line', keep);
  };
  launch();
  const current = (): Array<Record<string, unknown>> => lines.slice(firstLine);
  const exitedOf = (c: ChildProcessWithoutNullStreams): Promise<number | null> =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve(c.exitCode) : new Promise((resolve) => c.once('exit', (code) => resolve(code)));
  const self: ServiceProcess = {
    name,
    lines,
    child: () => child,
    current,
    waitForLog: (msg, timeoutMs = 60_000) =>
      waitFor(
        async () => {
          const found = current().find((l) => l['msg'] === msg);
          if (found === undefined && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before logging "${msg}"`);
          return found;
        },
        timeoutMs,
        `${name} to log "${msg}" (log: ${logDir}${logName}.log)`,
        50,
      ),
    url: async () => {
      const line = await waitFor(async () => current().find((l) => typeof l['url'] === 'string'), 60_000, `${name} to log its url`, 50);
      return String(line['url']);
    },
    stop: async (signal, timeoutMs = 40_000) => {
      const c = child;
      if (c.exitCode !== null || c.signalCode !== null) return c.exitCode;
      c.kill(signal);
      const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
      try {
        return await exitedOf(c);
      } finally {
        clearTimeout(timer);
      }
    },
    restart: launch,
  };
  return self;
}

/** Sum of every sample of Prometheus metric `name` (all label sets) at `${url}/metrics`. */
export async function metricSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => !l.startsWith('#') && (l.startsWith(`${name} `) || l.startsWith(`${name}{`)))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}
