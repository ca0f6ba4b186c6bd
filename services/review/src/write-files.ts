import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderCsv } from './core/csv.ts';
import { renderHtmlReport } from './core/html-report.ts';
import type { Review } from './core/review-model.ts';

export type WrittenFile = { name: string; path: string; bytes: number; sha256: string };

const sha256 = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/** The folder of one review: `<outputDir>/<project>/<from day>_<to day>_<id prefix>` (project sanitised). */
export function reviewDirectory(outputDir: string, review: Review): string {
  const project = review.project.replace(/[^A-Za-z0-9_-]/g, '_');
  return resolve(join(outputDir, project, `${review.from.slice(0, 10)}_${review.to.slice(0, 10)}_${review.id.slice(0, 8)}`));
}

/**
 * Writes access-review.csv, .json and .html plus SHA256SUMS (sha256sum format) into the review's
 * folder, each via a temporary file and rename so a reader never sees half a file. Returns the
 * files with their sizes and checksums, and the checksum of SHA256SUMS itself.
 */
export async function writeReviewFiles(outputDir: string, review: Review): Promise<{ directory: string; files: WrittenFile[]; sha256: string }> {
  const directory = reviewDirectory(outputDir, review);
  await mkdir(directory, { recursive: true });
  const contents: Array<[string, string]> = [
    ['access-review.csv', renderCsv(review)],
    ['access-review.json', `${JSON.stringify(review, null, 2)}\n`],
    ['access-review.html', renderHtmlReport(review)],
  ];
  const files: WrittenFile[] = [];
  for (const [name, text] of contents) {
    const path = join(directory, name);
    await writeFile(`${path}.tmp`, text, 'utf8');
    await rename(`${path}.tmp`, path);
    files.push({ name, path, bytes: Buffer.byteLength(text, 'utf8'), sha256: sha256(text) });
  }
  const sums = files.map((f) => `${f.sha256}  ${f.name}\n`).sort().join('');
  await writeFile(join(directory, 'SHA256SUMS'), sums, 'utf8');
  return { directory, files, sha256: sha256(sums) };
}
