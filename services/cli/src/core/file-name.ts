/** Host and log name as far as an Atlas download file name tells them. */
export type FileNameHints = { host?: string; logName?: string };

const suffixes: Record<string, string> = {
  MONGODB_AUDIT_LOG: 'mongodb-audit-log',
  MONGOS_AUDIT_LOG: 'mongos-audit-log',
  MONGODB: 'mongodb',
  MONGOS: 'mongos',
};

/**
 * Reads host and log name from Atlas download names: the Content-Disposition form
 * `<host>_<start>_<end>_MONGODB_AUDIT_LOG.log.gz`, the CLI forms `mongodb-audit-log.gz` and
 * `<host>_mongodb-audit-log.gz`. When the name gives no host, a parent directory named like an
 * Atlas process host (`….mongodb.net`, `….mongodbgov.net`, `….mongodb-dev.net`: the layout of
 * one folder per host, each holding `mongodb-audit-log.gz`) gives it. Unknown names give no hints.
 */
export function hintsFromFileName(path: string): FileNameHints {
  const parts = path.split(/[\\/]/);
  const hints = hintsFromBaseName(parts.pop() ?? path);
  if (hints.host !== undefined || hints.logName === undefined) return hints;
  const parent = parts.pop();
  return parent !== undefined && atlasHost.test(parent) ? { host: parent, ...hints } : hints;
}

/** An Atlas process host name: labels of letters, digits and '-', under one of Atlas' domains. */
const atlasHost = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.(?:mongodb|mongodbgov|mongodb-dev)\.net$/i;

function hintsFromBaseName(base: string): FileNameHints {
  const stem = base.replace(/(\.gz)$/i, '').replace(/(\.log|\.json|\.ndjson|\.jsonl)$/i, '');
  const disposition = /^(.+?)_(\d{4}-\d{2}-\d{2}T[^_]+)_(\d{4}-\d{2}-\d{2}T[^_]+)_(MONGODB_AUDIT_LOG|MONGOS_AUDIT_LOG|MONGODB|MONGOS)$/.exec(stem);
  if (disposition !== null) {
    const host = disposition[1];
    const logName = suffixes[disposition[4] ?? ''];
    return { ...(host === undefined ? {} : { host }), ...(logName === undefined ? {} : { logName }) };
  }
  const named = /^(?:(.+)_)?(mongodb-audit-log|mongos-audit-log)$/.exec(stem);
  if (named !== null) {
    const host = named[1];
    return { ...(host === undefined ? {} : { host }), logName: named[2] ?? 'mongodb-audit-log' };
  }
  return {};
}
