/**
 * The bodies of OpenSSH's SFTP extensions (its PROTOCOL file, section 4): `statvfs@openssh.com` replies
 * and `limits@openssh.com` replies, and the request bodies naming one or two paths or a handle.
 * @module
 */
import { PacketReader, PacketWriter } from './wire.js';

/** A `statvfs@openssh.com` reply: the fields of statvfs(3), all counts. */
export interface SFTPStatVFS {
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  /** The filesystem id: any 64-bit value. */
  fsid: bigint;
  /** Bit 0: read-only (`ST_RDONLY`); bit 1: no setuid (`ST_NOSUID`). */
  flag: number;
  namemax: number;
}

const COUNTS_BEFORE = ['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail'] as const;
const COUNTS_AFTER = ['flag', 'namemax'] as const;

/** A `limits@openssh.com` reply: what the server accepts (0 means "no limit stated"). */
export interface SFTPServerLimits {
  maxPacketLength: number;
  maxReadLength: number;
  maxWriteLength: number;
  maxOpenHandles: number;
}

/** The body of an extended reply: bytes after the id. */
function body(build: (w: PacketWriter) => void): Uint8Array {
  const w = new PacketWriter();
  build(w);
  return w.bytes().subarray(4);
}

export function encodeStatVFS(s: SFTPStatVFS): Uint8Array {
  return body((w) => {
    for (const f of COUNTS_BEFORE) w.uint64(s[f]);
    w.uint64Big(s.fsid);
    for (const f of COUNTS_AFTER) w.uint64(s[f]);
  });
}

export function decodeStatVFS(data: Uint8Array): SFTPStatVFS {
  const r = new PacketReader(data);
  const out = {} as SFTPStatVFS;
  for (const f of COUNTS_BEFORE) out[f] = r.uint64();
  out.fsid = r.uint64Big();
  for (const f of COUNTS_AFTER) out[f] = r.uint64();
  r.end();
  return out;
}

export function encodeServerLimits(l: SFTPServerLimits): Uint8Array {
  return body((w) => w.uint64(l.maxPacketLength).uint64(l.maxReadLength).uint64(l.maxWriteLength).uint64(l.maxOpenHandles));
}

export function decodeServerLimits(data: Uint8Array): SFTPServerLimits {
  const r = new PacketReader(data);
  const out = { maxPacketLength: r.uint64(), maxReadLength: r.uint64(), maxWriteLength: r.uint64(), maxOpenHandles: r.uint64() };
  r.end();
  return out;
}

/** The body of an extended request made of strings (paths, handles), in order. */
export function encodeStrings(...items: Array<string | Uint8Array>): Uint8Array {
  return body((w) => items.forEach((s) => w.string(s)));
}

/** Reads `count` strings from an extended request body; throws on anything missing or left over. */
export function decodeStrings(data: Uint8Array, count: number): Uint8Array[] {
  const r = new PacketReader(data);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) out.push(r.string());
  r.end();
  return out;
}
