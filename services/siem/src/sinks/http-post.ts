import { AppError } from '@atlas-audit/shared/errors';

/**
 * POSTs a body and returns the parsed JSON response (or undefined for a non-JSON body). Any
 * non-2xx status or network error becomes a retryable SINK_UNAVAILABLE AppError naming the sink
 * and status only; request headers (which hold tokens) never appear in it.
 */
export async function postJson(sink: string, url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal });
  } catch (err) {
    const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : 'network error';
    throw new AppError(`sink ${sink}: request failed (${reason})`, { code: 'SINK_UNAVAILABLE', retryable: true, details: { sink } });
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    throw new AppError(`sink ${sink}: HTTP ${response.status}`, { code: 'SINK_UNAVAILABLE', retryable: true, details: { sink, status: response.status } });
  }
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}
