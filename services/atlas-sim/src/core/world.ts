import { objectIdFor, slugFor } from './rng.ts';
import type { Attack, Scenario, ScenarioCluster, ScenarioProject, ScenarioUser } from './scenario.ts';

/**
 * The resolved topology of a scenario: ids, hostnames and processes, derived deterministically
 * from names so that the same scenario always describes the same Atlas estate.
 */

export type LogName = 'mongodb-audit-log' | 'mongos-audit-log' | 'mongodb' | 'mongos';
export const logNames: readonly LogName[] = ['mongodb-audit-log', 'mongos-audit-log', 'mongodb', 'mongos'];

export type Process = {
  hostname: string;
  port: number;
  kind: 'mongod' | 'mongos';
  typeName: 'REPLICA_PRIMARY' | 'REPLICA_SECONDARY' | 'SHARD_PRIMARY' | 'SHARD_SECONDARY' | 'SHARD_MONGOS' | 'SHARD_CONFIG';
  clusterName: string;
  nodeIndex: number;
  userAlias: string;
  replicaSetName: string | undefined;
  shardName: string | undefined;
  version: string;
  localIp: string;
  /** Share of the cluster's client sessions this process receives. */
  sessionWeight: number;
};

export type Cluster = { name: string; spec: ScenarioCluster; clusterId: string; domain: string; processes: Process[] };

export type Project = {
  id: string;
  name: string;
  orgId: string;
  spec: ScenarioProject;
  clusters: Cluster[];
  processes: Process[];
  usersByName: Map<string, ScenarioUser>;
};

export type Org = { id: string; name: string; projectIds: string[]; atlasUsers: string[] };

export type ResolvedAttack = { index: number; attack: Attack; atMs: number; projectId: string; orgId: string; clusterName: string };

export type World = {
  scenario: Scenario;
  seed: number;
  startMs: number;
  endMs: number;
  orgs: Org[];
  projects: Project[];
  projectById: Map<string, Project>;
  orgById: Map<string, Org>;
  attacks: ResolvedAttack[];
};

function buildCluster(projectKey: string, spec: ScenarioCluster, orgIndex: number, projectIndex: number, clusterIndex: number): Cluster {
  const key = `${projectKey}/${spec.name}`;
  const internal = `atlas-${slugFor(`${key}:internal`, 6)}`;
  const domain = `${slugFor(`${key}:domain`, 5)}.mongodb.net`;
  const alias = spec.name.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const processes: Process[] = [];
  const secondaryWeight = spec.nodes > 1 ? 0.4 / (spec.nodes - 1) : 0;
  for (let node = 0; node < spec.nodes; node++) {
    const member = String(node).padStart(2, '0');
    const hostname = `${internal}-shard-00-${member}.${domain}`;
    const userAlias = `${alias}-shard-00-${member}.${domain}`;
    const localIp = `192.168.${(orgIndex * 40 + projectIndex * 8 + clusterIndex) % 250}.${10 + node}`;
    const primary = node === 0;
    processes.push({
      hostname,
      port: 27017,
      kind: 'mongod',
      typeName: spec.mongos ? (primary ? 'SHARD_PRIMARY' : 'SHARD_SECONDARY') : primary ? 'REPLICA_PRIMARY' : 'REPLICA_SECONDARY',
      clusterName: spec.name,
      nodeIndex: node,
      userAlias,
      replicaSetName: `${internal}-shard-0`,
      shardName: spec.mongos ? `${internal}-shard-0` : undefined,
      version: spec.mongoVersion,
      localIp,
      sessionWeight: spec.mongos ? 0 : spec.nodes === 1 ? 1 : primary ? 0.6 : secondaryWeight,
    });
    if (spec.mongos) {
      processes.push({
        hostname,
        port: 27016,
        kind: 'mongos',
        typeName: 'SHARD_MONGOS',
        clusterName: spec.name,
        nodeIndex: node,
        userAlias,
        replicaSetName: undefined,
        shardName: undefined,
        version: spec.mongoVersion,
        localIp,
        sessionWeight: 1 / spec.nodes,
      });
    }
  }
  if (spec.mongos) {
    // A sharded cluster also runs a config-server replica set (audited, agent traffic only).
    for (let node = 0; node < 3; node++) {
      const member = String(node).padStart(2, '0');
      processes.push({
        hostname: `${internal}-config-00-${member}.${domain}`,
        port: 27017,
        kind: 'mongod',
        typeName: 'SHARD_CONFIG',
        clusterName: spec.name,
        nodeIndex: 100 + node,
        userAlias: `${alias}-config-00-${member}.${domain}`,
        replicaSetName: `${internal}-config-0`,
        shardName: undefined,
        version: spec.mongoVersion,
        localIp: `192.168.${(orgIndex * 40 + projectIndex * 8 + clusterIndex) % 250}.${50 + node}`,
        sessionWeight: 0,
      });
    }
  }
  return { name: spec.name, spec, clusterId: objectIdFor(`${key}:cluster`), domain, processes };
}

/** Resolves a validated scenario into its topology; `seed` overrides the scenario's own seed. */
export function buildWorld(scenario: Scenario, seed: number = scenario.seed): World {
  const orgs: Org[] = [];
  const projects: Project[] = [];
  scenario.orgs.forEach((orgSpec, orgIndex) => {
    const orgId = orgSpec.id ?? objectIdFor(`org:${orgSpec.name}`);
    const org: Org = { id: orgId, name: orgSpec.name, projectIds: [], atlasUsers: orgSpec.atlasUsers };
    orgSpec.projects.forEach((spec, projectIndex) => {
      const id = spec.id ?? objectIdFor(`project:${orgSpec.name}/${spec.name}`);
      const clusters = spec.clusters.map((c, clusterIndex) => buildCluster(`${orgSpec.name}/${spec.name}`, c, orgIndex, projectIndex, clusterIndex));
      projects.push({
        id,
        name: spec.name,
        orgId,
        spec,
        clusters,
        processes: clusters.flatMap((c) => c.processes),
        usersByName: new Map(spec.users.map((u) => [u.username, u])),
      });
      org.projectIds.push(id);
    });
    orgs.push(org);
  });
  const projectByName = new Map(projects.map((p) => [p.name, p]));
  const attacks: ResolvedAttack[] = [];
  const endMs = scenario.end === undefined ? Number.POSITIVE_INFINITY : Date.parse(scenario.end);
  scenario.attacks.forEach((attack, index) => {
    const project = projectByName.get(attack.project);
    // An attack scheduled at or after the scenario's end never happens: no record, no activity
    // event and no posture change of it is served, however far the simulated clock runs on.
    const atMs = Date.parse(attack.at);
    if (project === undefined || atMs >= endMs) return;
    const clusterName = attack.cluster ?? project.clusters[0]?.name ?? '';
    attacks.push({ index, attack, atMs, projectId: project.id, orgId: project.orgId, clusterName });
  });
  return {
    scenario,
    seed,
    startMs: Date.parse(scenario.start),
    endMs,
    orgs,
    projects,
    projectById: new Map(projects.map((p) => [p.id, p])),
    orgById: new Map(orgs.map((o) => [o.id, o])),
    attacks,
  };
}

/** The processes of a project that serve `logName` on `hostname` (mongod for mongodb*, mongos for mongos*). */
export function processForLog(project: Project, hostname: string, logName: LogName): Process | undefined {
  const kind = logName.startsWith('mongos') ? 'mongos' : 'mongod';
  return project.processes.find((p) => p.hostname === hostname && p.kind === kind);
}

/** Problems in a scenario that zod cannot see (references between sections); empty when consistent. */
export function checkReferences(scenario: Scenario): string[] {
  const problems: string[] = [];
  const projects = new Map(scenario.orgs.flatMap((o) => o.projects).map((p) => [p.name, p]));
  scenario.attacks.forEach((attack, i) => {
    const project = projects.get(attack.project);
    if (project === undefined) {
      problems.push(`attacks.${i}.project: no project named ${attack.project}`);
      return;
    }
    if (attack.cluster !== undefined && !project.clusters.some((c) => c.name === attack.cluster)) problems.push(`attacks.${i}.cluster: no cluster named ${attack.cluster} in ${attack.project}`);
    const names = new Set(project.users.map((u) => u.username));
    for (const field of ['user', 'actor', 'target'] as const) {
      const value = (attack as Record<string, unknown>)[field];
      if (typeof value === 'string' && !value.includes('@') && !names.has(value)) problems.push(`attacks.${i}.${field}: no database user ${value} in ${attack.project}`);
    }
  });
  return problems;
}
