import { compileGlob, type Glob } from './glob.ts';

/**
 * Role references are `role@db` (database roles) or a bare name (Atlas org/project roles such as
 * GROUP_OWNER, or a database role on any database). A pattern may use globs on either side.
 */
export type RolePattern = { text: string; role: Glob; db: Glob | undefined };

/** Compiles `role@db` / `role` patterns; a bare pattern matches that role on any database. */
export function compileRolePattern(text: string): RolePattern {
  const at = text.lastIndexOf('@');
  if (at <= 0) return { text, role: compileGlob(text), db: undefined };
  return { text, role: compileGlob(text.slice(0, at)), db: compileGlob(text.slice(at + 1)) };
}

/** Splits a `role@db` reference; a bare role has db ''. */
export function splitRole(ref: string): { role: string; db: string } {
  const at = ref.lastIndexOf('@');
  return at <= 0 ? { role: ref, db: '' } : { role: ref.slice(0, at), db: ref.slice(at + 1) };
}

/** True when role reference `ref` matches `pattern`. */
export function roleMatches(pattern: RolePattern, ref: string): boolean {
  const { role, db } = splitRole(ref);
  if (!pattern.role.test(role)) return false;
  return pattern.db === undefined || pattern.db.test(db);
}

/** True when any pattern matches `ref`. */
export function anyRoleMatches(patterns: readonly RolePattern[], ref: string): boolean {
  for (const p of patterns) if (roleMatches(p, ref)) return true;
  return false;
}

/** Role references from an Atlas/audit role list: `[{role|roleName, db|databaseName}]` or strings. */
export function roleRefsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') out.push(item);
    else if (typeof item === 'object' && item !== null) {
      const r = item as Record<string, unknown>;
      const role = r['role'] ?? r['roleName'];
      const db = r['db'] ?? r['databaseName'];
      if (typeof role === 'string') out.push(typeof db === 'string' && db !== '' ? `${role}@${db}` : role);
    }
  }
  return out;
}
