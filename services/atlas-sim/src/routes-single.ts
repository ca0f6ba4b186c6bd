import { apiError, hostNotFound, orgNotFound } from './core/api-error.ts';
import { jsonV20230101 } from './core/api-version.ts';
import { orgEvents, projectEvents } from './core/events.ts';
import { accessListAt, databaseUsersAt } from './core/posture.ts';
import { err, eventView, processView, withProject, type Route } from './routes.ts';

/**
 * Single-resource routes: the targets of the `self` links in list responses (one process,
 * event, database user or access-list entry). Not-found codes here are plausible, not observed.
 */

const seg = '([^/]+)';
const v2 = '^/api/atlas/v2';

/** Routes for one resource, checked before the list routes. */
export const singleRoutes: Route[] = [
  { pattern: new RegExp(`${v2}/groups/${seg}/processes/${seg}$`), endpoint: 'processes', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => {
    const view = processView(ctx, p).find((v) => (v as { id: string }).id === ctx.params[1]);
    return view === undefined ? err(hostNotFound(ctx.params[1] ?? '', p.id)) : { kind: 'json', body: view };
  }) },
  { pattern: new RegExp(`${v2}/groups/${seg}/events/${seg}$`), endpoint: 'groupEvents', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => {
    const event = projectEvents(ctx.world, p, ctx.world.startMs, ctx.nowMs).find((e) => e.id === ctx.params[1]);
    return event === undefined ? err(apiError(404, 'EVENT_NOT_FOUND', `No event with ID ${ctx.params[1]} exists.`, [ctx.params[1]])) : { kind: 'json', body: eventView(ctx, event, `/api/atlas/v2/groups/${p.id}`, ctx.url.searchParams.get('includeRaw') === 'true') };
  }) },
  { pattern: new RegExp(`${v2}/orgs/${seg}/events/${seg}$`), endpoint: 'orgEvents', version: jsonV20230101, scope: 'org', handler: (ctx) => {
    const org = ctx.world.orgById.get(ctx.params[0] ?? '');
    if (org === undefined) return err(orgNotFound(ctx.params[0] ?? ''));
    const event = orgEvents(ctx.world, org, ctx.world.startMs, ctx.nowMs).find((e) => e.id === ctx.params[1]);
    return event === undefined ? err(apiError(404, 'EVENT_NOT_FOUND', `No event with ID ${ctx.params[1]} exists.`, [ctx.params[1]])) : { kind: 'json', body: eventView(ctx, event, '/api/atlas/v2/groups/null', ctx.url.searchParams.get('includeRaw') === 'true') };
  } },
  { pattern: new RegExp(`${v2}/groups/${seg}/databaseUsers/${seg}/${seg}$`), endpoint: 'databaseUsers', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => {
    const user = databaseUsersAt(ctx.world, p, ctx.nowMs).find((u) => u.databaseName === ctx.params[1] && u.username === ctx.params[2]);
    return user === undefined ? err(apiError(404, 'USERNAME_NOT_FOUND', `No user with username ${ctx.params[2]} exists.`, [ctx.params[2]])) : { kind: 'json', body: { ...user, links: [{ href: `${ctx.base}${ctx.url.pathname}`, rel: 'self' }] } };
  }) },
  { pattern: new RegExp(`${v2}/groups/${seg}/accessList/${seg}$`), endpoint: 'accessList', version: jsonV20230101, scope: 'group', handler: (ctx) => withProject(ctx, (p) => {
    const wanted = ctx.params[1] ?? '';
    const entry = accessListAt(ctx.world, p, ctx.nowMs).find((e) => e.cidrBlock === wanted || e.ipAddress === wanted);
    return entry === undefined ? err(apiError(404, 'ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND', `IP Address ${wanted} not on Atlas access list for group ${p.id}.`, [wanted, p.id])) : { kind: 'json', body: { ...entry, links: [{ href: `${ctx.base}${ctx.url.pathname}`, rel: 'self' }] } };
  }) },
];
