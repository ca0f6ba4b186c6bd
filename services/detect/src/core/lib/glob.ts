/** A compiled glob: `*` matches any run of characters, `?` one character; everything else is literal. */
export type Glob = { text: string; test(value: string): boolean };

/** Compiles a glob pattern to a matcher. Patterns without wildcards compare by equality. */
export function compileGlob(pattern: string): Glob {
  if (!pattern.includes('*') && !pattern.includes('?')) return { text: pattern, test: (value) => value === pattern };
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, 's');
  return { text: pattern, test: (value) => re.test(value) };
}

/** True when any glob matches `value`. */
export function anyGlobMatches(globs: readonly Glob[], value: string): boolean {
  for (const glob of globs) if (glob.test(value)) return true;
  return false;
}
