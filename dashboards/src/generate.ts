// Writes dashboards/atlas-audit.ndjson from the panel specs. Reads nothing else.
// Run: node dashboards/src/generate.ts   (a test fails when the committed file is stale)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allSavedObjects, renderNdjson } from './bundle.ts';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'atlas-audit.ndjson');
const objects = allSavedObjects();
writeFileSync(out, renderNdjson(objects));
process.stdout.write(`${out}: ${objects.length} saved objects\n`);
