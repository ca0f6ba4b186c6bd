import { AppError } from '@atlas-audit/shared/errors';
import type { DiscoveredProcess } from '../core/streams.ts';
import { GZIP_MEDIA_TYPE, type AtlasHttpClient, type EndpointFamily } from './http-client.ts';

/**
 * The Atlas Admin API v2 endpoints the ingest worker reads, over the HTTP client. Paged list
 * endpoints follow `links[rel=next]` until it is absent.
 */
export type AtlasApi = {
  listOrgProjects(org: string): Promise<string[]>;
  listProcesses(project: string): Promise<DiscoveredProcess[]>;
  /** Cluster names, or undefined when the endpoint is not available (derive from processes). */
  listClusters(project: string): Promise<string[] | undefined>;
  /** The raw body of a log download (0 bytes when the window is empty). */
  downloadLog(project: string, host: string, logName: string, startS: number, endS: number): Promise<Buffer>;
  /** One page of access history (newest first). */
  accessHistory(project: string, cluster: string, startMs: number, endMs: number, nLogs: number): Promise<unknown[]>;
  /** Every activity event of a project or org in [minDate, maxDate], all pages. */
  events(scope: { project: string } | { org: string }, minIso: string, maxIso: string): Promise<unknown[]>;
  /** A posture resource: a list endpoint (all pages) or a single document. */
  posture(project: string, resource: PostureResource): Promise<unknown>;
};

export const postureResources = ['databaseUsers', 'customDBRoles', 'accessList', 'auditLog', 'maintenanceWindow', 'encryptionAtRest'] as const;
export type PostureResource = (typeof postureResources)[number];

const posturePaths: Record<PostureResource, { path: string; paged: boolean }> = {
  databaseUsers: { path: 'databaseUsers', paged: true },
  customDBRoles: { path: 'customDBRoles/roles', paged: false },
  accessList: { path: 'accessList', paged: true },
  auditLog: { path: 'auditLog', paged: false },
  maintenanceWindow: { path: 'maintenanceWindow', paged: false },
  encryptionAtRest: { path: 'encryptionAtRest', paged: false },
};

function json(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('atlas returned a body that is not JSON', { code: 'ATLAS_HTTP_ERROR', retryable: true, details: { what } });
  }
}

type Page = { results: unknown[]; next: string | undefined };

function pageOf(body: unknown, what: string): Page {
  const obj = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const results = obj['results'];
  if (!Array.isArray(results)) throw new AppError('atlas page has no results array', { code: 'ATLAS_HTTP_ERROR', retryable: true, details: { what } });
  const links = Array.isArray(obj['links']) ? (obj['links'] as Array<Record<string, unknown>>) : [];
  const next = links.find((l) => l['rel'] === 'next')?.['href'];
  return { results, next: typeof next === 'string' ? next : undefined };
}

/** Creates the endpoint functions over `http`. */
export function createAtlasApi(http: AtlasHttpClient, options: { itemsPerPage: number; maxPages: number }): AtlasApi {
  async function allPages(family: EndpointFamily, scope: string, path: string, query: Record<string, string | number | undefined>): Promise<unknown[]> {
    const out: unknown[] = [];
    let request: { path: string; query?: Record<string, string | number | undefined> } = { path, query: { ...query, itemsPerPage: options.itemsPerPage, pageNum: 1, includeCount: 'false' } };
    for (let page = 0; page < options.maxPages; page += 1) {
      const res = await http.get({ family, scope, ...request });
      const parsed = pageOf(json(res.body, path), path);
      out.push(...parsed.results);
      if (parsed.next === undefined || parsed.results.length === 0) return out;
      // Follow the link's path and query on our base URL (the href names Atlas' public host).
      const next = new URL(parsed.next, 'http://link.invalid');
      request = { path: `${next.pathname}${next.search}` };
    }
    throw new AppError('atlas paging exceeded the page limit', { code: 'ATLAS_HTTP_ERROR', retryable: false, details: { path, maxPages: options.maxPages } });
  }

  return {
    async listOrgProjects(org) {
      const groups = await allPages('groups', org, `orgs/${org}/groups`, {});
      return groups.map((g) => (g as { id?: unknown }).id).filter((id): id is string => typeof id === 'string');
    },
    async listProcesses(project) {
      const results = await allPages('processes', project, `groups/${project}/processes`, {});
      return results.flatMap((r) => {
        const p = r as Record<string, unknown>;
        if (typeof p['hostname'] !== 'string') return [];
        return [{ hostname: p['hostname'], typeName: typeof p['typeName'] === 'string' ? p['typeName'] : 'REPLICA_PRIMARY', userAlias: typeof p['userAlias'] === 'string' ? p['userAlias'] : undefined, replicaSetName: typeof p['replicaSetName'] === 'string' ? p['replicaSetName'] : undefined }];
      });
    },
    async listClusters(project) {
      try {
        const results = await allPages('clusters', project, `groups/${project}/clusters`, {});
        return results.map((c) => (c as { name?: unknown }).name).filter((n): n is string => typeof n === 'string');
      } catch (err) {
        if (err instanceof AppError && err.details['status'] === 404) return undefined;
        throw err;
      }
    },
    async downloadLog(project, host, logName, startS, endS) {
      const res = await http.get({ family: 'logs', scope: project, path: `groups/${project}/clusters/${host}/logs/${logName}.gz`, query: { startDate: startS, endDate: endS }, accept: GZIP_MEDIA_TYPE });
      return res.body;
    },
    async accessHistory(project, cluster, startMs, endMs, nLogs) {
      const res = await http.get({ family: 'accessHistory', scope: project, path: `groups/${project}/dbAccessHistory/clusters/${encodeURIComponent(cluster)}`, query: { start: startMs, end: endMs, nLogs } });
      const body = json(res.body, 'dbAccessHistory') as { accessLogs?: unknown };
      if (!Array.isArray(body.accessLogs)) throw new AppError('atlas access history has no accessLogs array', { code: 'ATLAS_HTTP_ERROR', retryable: true });
      return body.accessLogs as unknown[];
    },
    async events(scope, minIso, maxIso) {
      if ('project' in scope) return allPages('events', scope.project, `groups/${scope.project}/events`, { minDate: minIso, maxDate: maxIso });
      return allPages('orgEvents', scope.org, `orgs/${scope.org}/events`, { minDate: minIso, maxDate: maxIso });
    },
    async posture(project, resource) {
      const { path, paged } = posturePaths[resource];
      if (paged) return allPages('posture', project, `groups/${project}/${path}`, {});
      const res = await http.get({ family: 'posture', scope: project, path: `groups/${project}/${path}` });
      return json(res.body, path);
    },
  };
}
