/**
 * Atlas `ApiError` bodies: `{detail, error, errorCode, parameters, reason}` with the
 * `X-Error-Code` header, and the Digest 401 body Atlas pretty-prints.
 */

export type ApiError = { status: number; body: { detail: string | null; error: number; errorCode: string; parameters: unknown[]; reason: string } };

const reasons: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 406: 'Not Acceptable', 409: 'Conflict',
  410: 'Gone', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** An ApiError with the standard reason phrase for `status`. */
export function apiError(status: number, errorCode: string, detail: string | null, parameters: unknown[] = []): ApiError {
  return { status, body: { detail, error: status, errorCode, parameters, reason: reasons[status] ?? 'Error' } };
}

/** The 406 for a missing or unsupported versioned media type. */
export function invalidVersionError(): ApiError {
  return apiError(406, 'INVALID_VERSION_DATE', 'Invalid accept header or version date.');
}

/** 404 for a project id that does not exist (or 400 for one that is not 24 hex digits). */
export function groupNotFound(groupId: string): ApiError {
  if (!/^[a-f0-9]{24}$/.test(groupId)) return apiError(400, 'INVALID_GROUP_ID', `The specified group ID ${groupId} is invalid.`, [groupId]);
  return apiError(404, 'GROUP_NOT_FOUND', `No group with ID ${groupId} exists.`, [groupId]);
}

/** 404 for an organization id that does not exist. */
export function orgNotFound(orgId: string): ApiError {
  if (!/^[a-f0-9]{24}$/.test(orgId)) return apiError(400, 'INVALID_ORG_ID', `The specified organization ID ${orgId} is invalid.`, [orgId]);
  return apiError(404, 'ORG_NOT_FOUND', `No organization with ID ${orgId} exists.`, [orgId]);
}

/** 404 for a cluster name unknown in the project (the exact observed wording). */
export function clusterNotFound(clusterName: string, groupId: string): ApiError {
  return apiError(404, 'CLUSTER_NOT_FOUND', `No cluster named ${clusterName} exists in group ${groupId}.`, [clusterName, groupId]);
}

/** 404 for a hostname unknown in the project. */
export function hostNotFound(hostname: string, groupId: string): ApiError {
  return apiError(404, 'HOST_NOT_FOUND', `No host with hostname ${hostname} exists in group ${groupId}.`, [hostname, groupId]);
}

/** 400 for a query parameter with an invalid value. */
export function invalidQueryParameter(name: string): ApiError {
  return apiError(400, 'INVALID_QUERY_PARAMETER', `Invalid query parameter ${name} specified.`, [name]);
}

/** 404 for a path that matches no endpoint. */
export function resourceNotFound(path: string): ApiError {
  return apiError(404, 'RESOURCE_NOT_FOUND', `Cannot find resource ${path}.`, [path]);
}

/** The 429 of an exhausted token bucket, with the documented wording. */
export function rateLimitedError(endpointSet: string, retryAfterSeconds: number, capacity: number, refillRate: number, refillDurationSeconds: number): ApiError {
  return apiError(
    429,
    'RATE_LIMITED_TOKEN_BUCKET',
    `Rate limit exceeded for ${endpointSet}. Please retry after ${retryAfterSeconds} seconds. Request capacity: ${capacity}. Refill rate: ${refillRate} per ${refillDurationSeconds} seconds.`,
    [endpointSet, retryAfterSeconds, capacity, refillRate, refillDurationSeconds],
  );
}

/** Jackson-style pretty printing (`"key" : value`, two-space indent, `[ ]`/`{ }` when empty), as Atlas' `pretty=true` and the Digest 401 body. */
export function prettyJson(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[ ${value.map((v) => prettyJson(v, indent)).join(', ')} ]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{ }';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} : ${prettyJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** The body of a 401 from the Digest challenge. */
export function unauthorizedBody(): string {
  return prettyJson({ error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.', errorCode: 'UNEXPECTED_ERROR' });
}
