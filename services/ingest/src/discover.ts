import type { AtlasApi } from './atlas/api.ts';
import type { IngestConfig } from './config.ts';
import { ownedBy } from './core/shard.ts';
import { accessStream, auditStreamsOf, orgEventsStream, postureStream, projectEventsStream, type Stream } from './core/streams.ts';

/**
 * Discovery: the projects this replica owns (configured projects plus every project of the
 * configured orgs, sharded by rendezvous hashing), their processes (→ one audit stream per
 * host and log name) and clusters (→ one access-history stream each), and the activity and
 * posture streams. A project whose discovery fails keeps its previous streams.
 */
export type Discovery = { streams: Stream[]; failedProjects: string[]; reasons: string[] };

/** Discovers the streams of this replica; `previous` supplies streams for projects that fail. */
export async function discoverStreams(api: AtlasApi, config: IngestConfig, previous: readonly Stream[]): Promise<Discovery> {
  const sources = new Set(config.ingest.sources);
  const reasons: string[] = [];
  const projects = new Set(config.atlas.projectIds);
  for (const org of config.atlas.orgIds) {
    try {
      for (const project of await api.listOrgProjects(org)) projects.add(project);
    } catch (err) {
      reasons.push(`org ${org}: ${err instanceof Error ? err.message : 'failed'}`);
    }
  }
  const { replicaIndex, replicaCount } = config.ingest;
  const owned = ownedBy([...projects].sort(), replicaIndex, replicaCount);
  const streams: Stream[] = [];
  const failedProjects: string[] = [];
  for (const project of owned) {
    try {
      if (sources.has('audit') || sources.has('access')) {
        const processes = await api.listProcesses(project);
        const clusters = (await api.listClusters(project)) ?? [];
        const audit = auditStreamsOf(project, processes, clusters);
        if (sources.has('audit')) streams.push(...audit);
        if (sources.has('access')) {
          const names = new Set(clusters.length > 0 ? clusters : audit.map((s) => s.cluster).filter((c): c is string => c !== undefined));
          for (const name of [...names].sort()) streams.push(accessStream(project, name));
        }
      }
      if (sources.has('events')) streams.push(projectEventsStream(project));
      if (sources.has('posture')) streams.push(postureStream(project));
    } catch (err) {
      failedProjects.push(project);
      reasons.push(`project ${project}: ${err instanceof Error ? err.message : 'failed'}`);
      streams.push(...previous.filter((s) => s.kind !== 'org-events' && s.project === project));
    }
  }
  if (sources.has('events')) for (const org of ownedBy([...config.atlas.orgIds].sort(), replicaIndex, replicaCount)) streams.push(orgEventsStream(org));
  return { streams, failedProjects, reasons };
}
