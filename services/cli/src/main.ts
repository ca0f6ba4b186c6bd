// atlas-audit CLI. `scan` reads argv, the files named on the command line ('-' = stdin) and the
// rules file (through the detector); writes NDJSON alerts or events to stdout, progress and a
// summary to stderr; exit codes 0 ok, 1 a file could not be read or recognised, 2 usage or rules
// error. `review` and `setup` read the environment (Elasticsearch, MongoDB, Kibana settings) and
// are dispatched to review.ts and setup.ts.
import { once } from 'node:events';
import { createReadStream, readdirSync, realpathSync, statSync } from 'node:fs';
import { AppError } from '@atlas-audit/shared/errors';
import { parseCliArgs, USAGE } from './core/args.ts';
import { expandInputs } from './core/inputs.ts';
import { createDetector } from './detector.ts';
import { runScan } from './run.ts';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // The other subcommands load their drivers only when asked for.
  if (command === 'review') {
    const { runReview } = await import('./review.ts');
    return runReview(rest, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text), env: process.env });
  }
  if (command === 'setup') {
    const { setupCommand } = await import('./setup.ts');
    return setupCommand(process.env, (text) => process.stdout.write(text));
  }
  const parsed = parseCliArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`atlas-audit: ${parsed.reason}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.value.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const options = parsed.value.options;
  const files = expandInputs(options.files, {
    kindOf: (path) => {
      try {
        const stats = statSync(path);
        return stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : 'other';
      } catch {
        return undefined;
      }
    },
    list: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
    realPath: (path) => {
      try {
        return realpathSync(path);
      } catch {
        return path;
      }
    },
  });
  try {
    return await runScan({ ...options, files }, {
      openFile: (path) => {
        if (path === '-') return { sizeBytes: 0, chunks: process.stdin };
        const stats = statSync(path);
        if (stats.isDirectory()) throw new Error(`${path} is a directory with no files to scan`);
        return { sizeBytes: stats.size, chunks: createReadStream(path, { highWaterMark: 1024 * 1024 }) };
      },
      writeOut: (text) => (process.stdout.write(text) ? undefined : once(process.stdout, 'drain').then(() => undefined)),
      writeErr: (text) => {
        process.stderr.write(text);
      },
      isTTY: process.stderr.isTTY === true,
      createDetector,
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'CONFIG_INVALID') {
      process.stderr.write(`atlas-audit: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

// A closed pipe (`atlas-audit scan … | head`) ends the scan quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
