import { fail, ok, type Result } from '@atlas-audit/shared/result';

/**
 * Versioned media types: `Accept: application/vnd.atlas.YYYY-MM-DD+json|gzip`. A date resolves
 * to the newest version of the endpoint on or before it; a date before the first version, a
 * malformed header or the wrong suffix is rejected (406 INVALID_VERSION_DATE).
 */

export type VersionSpec = {
  /** Versions of the endpoint, oldest first, as YYYY-MM-DD. */
  versions: readonly string[];
  suffix: 'json' | 'gzip';
  /** Versions still served but deprecated, with their sunset date. */
  deprecated?: Readonly<Record<string, { deprecation: string; sunset: string }>>;
};

export type ResolvedVersion = { version: string; contentType: string; deprecation?: string; sunset?: string };

const mediaType = /^application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+(json|gzip|csv)$/;

function isRealDate(text: string): boolean {
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Resolves an Accept header against an endpoint's versions; the failure reason is for logs only. */
export function resolveVersion(accept: string | undefined, spec: VersionSpec): Result<ResolvedVersion> {
  if (accept === undefined || accept.trim() === '') return fail('missing Accept');
  const candidates = accept.split(',').map((part) => part.split(';')[0]?.trim() ?? '');
  for (const candidate of candidates) {
    const match = mediaType.exec(candidate);
    if (match === null) continue;
    const [, date = '', suffix] = match;
    if (suffix !== spec.suffix || !isRealDate(date)) continue;
    let chosen: string | undefined;
    for (const v of spec.versions) if (v <= date) chosen = v;
    if (chosen === undefined) continue;
    const contentType = `application/vnd.atlas.${chosen}+${spec.suffix}${spec.suffix === 'json' ? ';charset=utf-8' : ''}`;
    const dep = spec.deprecated?.[chosen];
    return ok(dep === undefined ? { version: chosen, contentType } : { version: chosen, contentType, deprecation: dep.deprecation, sunset: dep.sunset });
  }
  return fail(`unsupported Accept ${accept}`);
}

export const jsonV20230101: VersionSpec = { versions: ['2023-01-01'], suffix: 'json' };
export const logsGzip: VersionSpec = {
  versions: ['2023-01-01', '2023-02-01'],
  suffix: 'gzip',
  deprecated: { '2023-01-01': { deprecation: 'Mon, 5 Aug 2024 00:00:00 GMT', sunset: 'Thu, 1 Jul 2027 00:00:00 GMT' } },
};
