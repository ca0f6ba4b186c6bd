/** What input expansion needs from the file system (node:fs in main.ts, a map in tests). */
export type InputFs = {
  /** 'dir', 'file' (a regular file), 'other' (FIFO, socket, device) or undefined when it cannot be stat'ed. */
  kindOf(path: string): 'dir' | 'file' | 'other' | undefined;
  /** The entry names of a directory. */
  list(path: string): string[];
  /** A canonical path for the directory, to stop at symlink loops. */
  realPath(path: string): string;
};

/**
 * The files a scan reads, in order: each argument as given, except that a directory stands for
 * every file under it, recursively, in code-unit order of the names (so a scan of a folder of
 * downloads is deterministic whatever the file system returns), hidden entries (`.name`) and
 * entries that are not regular files (a FIFO would block the scan) skipped, and each directory
 * read once. A directory with no files stays in the list as itself, so the scan reports it
 * instead of silently reading nothing; a path that cannot be stat'ed stays too, and fails when
 * opened with its own error. '-' (stdin) is kept.
 */
export function expandInputs(paths: readonly string[], fs: InputFs): string[] {
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = (dir: string): number => {
    const real = fs.realPath(dir);
    if (visited.has(real)) return 0;
    visited.add(real);
    let found = 0;
    const names = fs
      .list(dir)
      .filter((name) => !name.startsWith('.'))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const path = dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
      const kind = fs.kindOf(path);
      if (kind === 'dir') found += walk(path);
      else if (kind === 'file') {
        out.push(path);
        found += 1;
      }
    }
    return found;
  };
  for (const path of paths) {
    if (path !== '-' && fs.kindOf(path) === 'dir') {
      if (walk(path) === 0) out.push(path);
    } else out.push(path);
  }
  return out;
}
