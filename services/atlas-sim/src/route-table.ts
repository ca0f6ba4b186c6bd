import { routes, type Route } from './routes.ts';
import { singleRoutes } from './routes-single.ts';

const table: Route[] = [...singleRoutes, ...routes];

/** The route matching a path, with its decoded parameters; undefined when none (or bad escapes). */
export function matchRoute(pathname: string): { route: Route; params: string[] } | undefined {
  for (const route of table) {
    const m = route.pattern.exec(pathname);
    if (m === null) continue;
    try {
      return { route, params: m.slice(1).map((s) => decodeURIComponent(s)) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
