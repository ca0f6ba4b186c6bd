import { fail, ok, type Result } from '@atlas-audit/shared/result';

/**
 * Atlas list pagination: itemsPerPage 1–500 (default 100), pageNum ≥ 1 (default 1),
 * includeCount (default true). Body `{links, results, totalCount}`; `next` only when more remain.
 */

export type PageQuery = { itemsPerPage: number; pageNum: number; includeCount: boolean };
export type Link = { href: string; rel: string };
export type Page<T> = { links: Link[]; results: T[]; totalCount?: number };

/** Reads the paging parameters; a bad value is a failed Result naming the parameter. */
export function parsePageQuery(params: URLSearchParams): Result<PageQuery> {
  const int = (name: string, def: number, min: number, max: number): Result<number> => {
    const raw = params.get(name);
    if (raw === null) return ok(def);
    if (!/^\d+$/.test(raw)) return fail(name);
    const n = Number(raw);
    return n >= min && n <= max ? ok(n) : fail(name);
  };
  const items = int('itemsPerPage', 100, 1, 500);
  if (!items.ok) return items;
  const pageNum = int('pageNum', 1, 1, 1_000_000);
  if (!pageNum.ok) return pageNum;
  const rawCount = params.get('includeCount');
  if (rawCount !== null && rawCount !== 'true' && rawCount !== 'false') return fail('includeCount');
  return ok({ itemsPerPage: items.value, pageNum: pageNum.value, includeCount: rawCount !== 'false' });
}

/**
 * One page of `items`. `selfUrl` is the request URL without paging parameters; other query
 * parameters (filters) are kept in the links.
 */
export function paginate<T>(items: readonly T[], query: PageQuery, selfUrl: URL): Page<T> {
  const start = (query.pageNum - 1) * query.itemsPerPage;
  const results = items.slice(start, start + query.itemsPerPage);
  const link = (pageNum: number, rel: string): Link => {
    const url = new URL(selfUrl.toString());
    for (const name of ['includeCount', 'pageNum', 'itemsPerPage']) url.searchParams.delete(name);
    if (rel === 'self') {
      url.searchParams.set('includeCount', String(query.includeCount));
      url.searchParams.set('pageNum', String(pageNum));
      url.searchParams.set('itemsPerPage', String(query.itemsPerPage));
    } else {
      url.searchParams.set('includeCount', String(query.includeCount));
      url.searchParams.set('itemsPerPage', String(query.itemsPerPage));
      url.searchParams.set('pageNum', String(pageNum));
    }
    return { href: url.toString(), rel };
  };
  const links = [link(query.pageNum, 'self')];
  if (start + query.itemsPerPage < items.length) links.push(link(query.pageNum + 1, 'next'));
  return query.includeCount ? { links, results, totalCount: items.length } : { links, results };
}
