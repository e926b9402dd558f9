/**
 * Resolving a client's path inside one root directory as `chroot` would: `..` stops at the root, absolute
 * paths start at the root, and symbolic links are followed by this code, not by the kernel, each target
 * read again inside the root — so a link `out -> /etc/passwd` names `<root>/etc/passwd`, never the host's.
 * @module
 */
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FX } from '../constants.js';
import { SFTPStatusError } from '../errors.js';

/** A path resolved in the root: where it is on disk, and how the client names it. */
export interface ConfinedPath {
  /** The path on the host, always under the root. */
  readonly real: string;
  /** The absolute path the client sees (`/` is the root). */
  readonly virtual: string;
}

/** The components of a path with `.` and empty ones dropped (`..` kept: it is resolved while walking). */
export function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * The virtual path `path` names lexically, from `cwd` (`/` by default): `..` above the root stays at the
 * root. Used where no link may be followed (the target of a link being created).
 */
export function lexicalPath(path: string, cwd = '/'): string[] {
  const out: string[] = path.startsWith('/') ? [] : components(cwd);
  for (const c of components(path)) {
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

/**
 * Walks `path` from the root, following symbolic links inside it (at most `maxFollows`), and returns the
 * result. With `followFinal` false the last component is left as it is (LSTAT, REMOVE, RENAME). A final
 * component that does not exist is allowed (to be created); a missing directory on the way is
 * NO_SUCH_FILE, and so is a loop of links (OpenSSH maps ELOOP so).
 */
export async function resolveInRoot(root: string, path: string, followFinal: boolean, maxFollows: number): Promise<ConfinedPath> {
  const queue = components(path);
  const virt: string[] = [];
  let follows = 0;
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (name === '..') {
      virt.pop();
      continue;
    }
    const last = queue.length === 0;
    const candidate = join(root, ...virt, name);
    if (last && !followFinal) {
      virt.push(name);
      break;
    }
    let isLink: boolean;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (e) {
      if (last && (e as NodeJS.ErrnoException).code === 'ENOENT') {
        virt.push(name);
        break;
      }
      throw e;
    }
    if (!isLink) {
      virt.push(name);
      continue;
    }
    if (++follows > maxFollows) throw new SFTPStatusError(FX.NO_SUCH_FILE, 'Too many levels of symbolic links');
    const target = await readlink(candidate);
    if (target.startsWith('/')) virt.length = 0;
    queue.unshift(...components(target));
  }
  return { real: join(root, ...virt), virtual: '/' + virt.join('/') };
}

/** Whether `real` is `root` or inside it (both absolute and normalised). */
export function isInside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith('/') ? root : root + '/');
}
