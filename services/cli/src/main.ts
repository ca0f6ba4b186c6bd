// atlas-audit CLI. Reads: argv, the files named on the command line (and the rules file
// through the detector). Writes: NDJSON alerts or events to stdout, progress and a summary to
// stderr. Exit codes: 0 ok, 1 a file could not be read or recognised, 2 usage error.
import { readFileSync } from 'node:fs';
import { parseCliArgs, USAGE } from './core/args.ts';
import { createDetector } from './detector.ts';
import { runScan } from './run.ts';

function main(argv: string[]): number {
  const parsed = parseCliArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`atlas-audit: ${parsed.reason}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.value.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  return runScan(parsed.value.options, {
    readFile: (path) => readFileSync(path),
    writeOut: (text) => {
      process.stdout.write(text);
    },
    writeErr: (text) => {
      process.stderr.write(text);
    },
    isTTY: process.stderr.isTTY === true,
    createDetector,
  });
}

process.exitCode = main(process.argv.slice(2));
