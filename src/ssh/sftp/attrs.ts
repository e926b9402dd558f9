/**
 * File attributes (the ATTRS structure of SFTP v3) and the `ls -l` long names of NAME replies.
 * @module
 */
import { FILEXFER_ATTR } from './constants.js';
import { SFTPProtocolError } from './errors.js';
import type { PacketReader, PacketWriter } from './wire.js';

/**
 * A file's attributes; each field is present only when the peer sent it. Times are seconds since the
 * epoch (SFTP v3 carries whole seconds); `permissions` holds the file type bits too, as `st_mode`.
 */
export interface SFTPAttrs {
  size?: number;
  uid?: number;
  gid?: number;
  permissions?: number;
  atime?: number;
  mtime?: number;
  /** Vendor attributes: `[type, data]` pairs. */
  extended?: Array<[string, Uint8Array]>;
}

/** Reads an ATTRS structure. uid and gid travel together, as do atime and mtime. */
export function readAttrs(r: PacketReader): SFTPAttrs {
  const flags = r.uint32();
  const attrs: SFTPAttrs = {};
  if (flags & FILEXFER_ATTR.SIZE) attrs.size = r.uint64();
  if (flags & FILEXFER_ATTR.UIDGID) {
    attrs.uid = r.uint32();
    attrs.gid = r.uint32();
  }
  if (flags & FILEXFER_ATTR.PERMISSIONS) attrs.permissions = r.uint32();
  if (flags & FILEXFER_ATTR.ACMODTIME) {
    attrs.atime = r.uint32();
    attrs.mtime = r.uint32();
  }
  if (flags & FILEXFER_ATTR.EXTENDED) {
    const count = r.uint32();
    // Each pair takes at least 8 bytes, so a count the packet cannot hold is refused before any loop.
    if (count * 8 > r.remaining) throw new SFTPProtocolError(`${count} extended attributes cannot fit in ${r.remaining} bytes`);
    attrs.extended = [];
    for (let i = 0; i < count; i++) attrs.extended.push([r.text(), r.string()]);
  }
  return attrs;
}

/** Writes an ATTRS structure with the fields `attrs` has. */
export function writeAttrs(w: PacketWriter, attrs: SFTPAttrs): void {
  let flags = 0;
  if (attrs.size !== undefined) flags |= FILEXFER_ATTR.SIZE;
  if (attrs.uid !== undefined && attrs.gid !== undefined) flags |= FILEXFER_ATTR.UIDGID;
  if (attrs.permissions !== undefined) flags |= FILEXFER_ATTR.PERMISSIONS;
  if (attrs.atime !== undefined && attrs.mtime !== undefined) flags |= FILEXFER_ATTR.ACMODTIME;
  if (attrs.extended !== undefined && attrs.extended.length > 0) flags |= FILEXFER_ATTR.EXTENDED;
  w.uint32(flags);
  if (flags & FILEXFER_ATTR.SIZE) w.uint64(attrs.size!);
  if (flags & FILEXFER_ATTR.UIDGID) w.uint32(attrs.uid!).uint32(attrs.gid!);
  if (flags & FILEXFER_ATTR.PERMISSIONS) w.uint32(attrs.permissions!);
  if (flags & FILEXFER_ATTR.ACMODTIME) w.uint32(attrs.atime!).uint32(attrs.mtime!);
  if (flags & FILEXFER_ATTR.EXTENDED) {
    w.uint32(attrs.extended!.length);
    for (const [type, data] of attrs.extended!) w.string(type).string(data);
  }
}

/** The `st_mode` file type bits. */
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

/** Whether attributes name a directory / a regular file / a symbolic link (false when permissions are absent). */
export function isDirectory(attrs: SFTPAttrs): boolean {
  return attrs.permissions !== undefined && (attrs.permissions & S_IFMT) === S_IFDIR;
}
export function isRegularFile(attrs: SFTPAttrs): boolean {
  return attrs.permissions !== undefined && (attrs.permissions & S_IFMT) === S_IFREG;
}
export function isSymbolicLink(attrs: SFTPAttrs): boolean {
  return attrs.permissions !== undefined && (attrs.permissions & S_IFMT) === S_IFLNK;
}

const TYPE_CHARS: Record<number, string> = {
  0o010000: 'p',
  0o020000: 'c',
  0o040000: 'd',
  0o060000: 'b',
  0o100000: '-',
  0o120000: 'l',
  0o140000: 's',
};

/** `drwxr-xr-x` from a mode, setuid, setgid and sticky bits included. */
export function modeString(mode: number): string {
  const bit = (mask: number, c: string): string => (mode & mask ? c : '-');
  const special = (exec: number, flag: number, on: string, off: string): string => (mode & flag ? (mode & exec ? on : off) : bit(exec, 'x'));
  return (
    (TYPE_CHARS[mode & S_IFMT] ?? '?') +
    bit(0o400, 'r') + bit(0o200, 'w') + special(0o100, 0o4000, 's', 'S') +
    bit(0o040, 'r') + bit(0o020, 'w') + special(0o010, 0o2000, 's', 'S') +
    bit(0o004, 'r') + bit(0o002, 'w') + special(0o001, 0o1000, 't', 'T')
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS = 182 * 24 * 3600;

/**
 * The `ls -l` line OpenSSH's sftp-server puts in NAME replies: mode, links, owner, group, size, date and
 * name. Owner and group are numeric; the date is UTC, with the time for the last six months and the year
 * before that (as `ls`). `now` is the current time in seconds.
 */
export function longname(filename: string, attrs: SFTPAttrs, now: number, nlink = 1): string {
  const mode = modeString(attrs.permissions ?? 0);
  const user = String(attrs.uid ?? 0).padEnd(8);
  const group = String(attrs.gid ?? 0).padEnd(8);
  const size = String(attrs.size ?? 0).padStart(8);
  const mtime = attrs.mtime ?? 0;
  const d = new Date(mtime * 1000);
  const day = String(d.getUTCDate()).padStart(2);
  const recent = mtime > now - SIX_MONTHS && mtime <= now + SIX_MONTHS;
  const tail = recent
    ? `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
    : ` ${d.getUTCFullYear()}`;
  return `${mode} ${String(nlink).padStart(3)} ${user} ${group} ${size} ${MONTHS[d.getUTCMonth()]} ${day} ${tail} ${filename}`;
}
