/**
 * The SFTP v3 codec, sans I/O: every request and response as a typed object, decoded from one packet body
 * (type byte first, as {@link PacketFramer} gives it) and encoded to the chunks of one packet.
 * Strings that are paths decode as UTF-8 (SFTP v3 leaves the encoding open; OpenSSH sends bytes as they are).
 * @module
 */
import { readAttrs, writeAttrs, type SFTPAttrs } from './attrs.js';
import { FXP } from './constants.js';
import { SFTPProtocolError } from './errors.js';
import { PacketReader, PacketWriter } from './wire.js';

/** One entry of a NAME reply (READDIR, REALPATH, READLINK). */
export interface SFTPName {
  filename: string;
  /** The `ls -l` line (empty in REALPATH and READLINK replies from some servers). */
  longname: string;
  attrs: SFTPAttrs;
}

/** Requests that name one path. */
export type PathRequestKind = 'lstat' | 'stat' | 'opendir' | 'remove' | 'rmdir' | 'realpath' | 'readlink';
/** Requests that name one handle. */
export type HandleRequestKind = 'close' | 'fstat' | 'readdir';

/** A request from the client; `id` pairs it with its response. */
export type SFTPRequest =
  | { kind: 'open'; id: number; path: string; pflags: number; attrs: SFTPAttrs }
  | { kind: HandleRequestKind; id: number; handle: Uint8Array }
  | { kind: PathRequestKind; id: number; path: string }
  | { kind: 'read'; id: number; handle: Uint8Array; offset: number; length: number }
  | { kind: 'write'; id: number; handle: Uint8Array; offset: number; data: Uint8Array }
  | { kind: 'setstat'; id: number; path: string; attrs: SFTPAttrs }
  | { kind: 'fsetstat'; id: number; handle: Uint8Array; attrs: SFTPAttrs }
  | { kind: 'mkdir'; id: number; path: string; attrs: SFTPAttrs }
  | { kind: 'rename'; id: number; oldPath: string; newPath: string }
  /** As OpenSSH sends it: the link's target first, then the link's own path (the draft's order reversed). */
  | { kind: 'symlink'; id: number; targetPath: string; linkPath: string }
  /** An extension; `data` is the rest of the packet after the request name. */
  | { kind: 'extended'; id: number; request: string; data: Uint8Array };

/** A response from the server. */
export type SFTPResponse =
  | { kind: 'status'; id: number; status: number; message: string; language: string }
  | { kind: 'handle'; id: number; handle: Uint8Array }
  | { kind: 'data'; id: number; data: Uint8Array }
  | { kind: 'name'; id: number; names: SFTPName[] }
  | { kind: 'attrs'; id: number; attrs: SFTPAttrs }
  /** The reply to an extension; `data` is what follows the id. */
  | { kind: 'extendedReply'; id: number; data: Uint8Array };

/** INIT (client) or VERSION (server): no id, a version and extension pairs. */
export interface SFTPHello {
  kind: 'init' | 'version';
  version: number;
  extensions: Array<[string, string]>;
}

const PATH_KINDS: Record<number, PathRequestKind> = {
  [FXP.LSTAT]: 'lstat',
  [FXP.STAT]: 'stat',
  [FXP.OPENDIR]: 'opendir',
  [FXP.REMOVE]: 'remove',
  [FXP.RMDIR]: 'rmdir',
  [FXP.REALPATH]: 'realpath',
  [FXP.READLINK]: 'readlink',
};
const HANDLE_KINDS: Record<number, HandleRequestKind> = { [FXP.CLOSE]: 'close', [FXP.FSTAT]: 'fstat', [FXP.READDIR]: 'readdir' };
const KIND_TYPES: Record<SFTPRequest['kind'], number> = {
  open: FXP.OPEN,
  close: FXP.CLOSE,
  read: FXP.READ,
  write: FXP.WRITE,
  lstat: FXP.LSTAT,
  fstat: FXP.FSTAT,
  setstat: FXP.SETSTAT,
  fsetstat: FXP.FSETSTAT,
  opendir: FXP.OPENDIR,
  readdir: FXP.READDIR,
  remove: FXP.REMOVE,
  mkdir: FXP.MKDIR,
  rmdir: FXP.RMDIR,
  realpath: FXP.REALPATH,
  stat: FXP.STAT,
  rename: FXP.RENAME,
  readlink: FXP.READLINK,
  symlink: FXP.SYMLINK,
  extended: FXP.EXTENDED,
};

/** The type byte of a packet body (0 for an empty one). */
export function packetType(body: Uint8Array): number {
  return body[0] ?? 0;
}

/** The request id of a packet body that has one, or undefined (INIT, or too short). */
export function packetId(body: Uint8Array): number | undefined {
  if (body.length < 5 || body[0] === FXP.INIT || body[0] === FXP.VERSION) return undefined;
  return ((body[1]! << 24) | (body[2]! << 16) | (body[3]! << 8) | body[4]!) >>> 0;
}

function readPairs(r: PacketReader, max: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  while (r.remaining > 0) {
    const pair: [string, string] = [r.text(), r.text()];
    if (out.length < max) out.push(pair);
  }
  return out;
}

/** Decodes INIT or VERSION; keeps at most `maxExtensions` pairs. */
export function decodeHello(body: Uint8Array, maxExtensions = 64): SFTPHello {
  const r = new PacketReader(body);
  const type = r.byte();
  if (type !== FXP.INIT && type !== FXP.VERSION) throw new SFTPProtocolError(`expected INIT or VERSION, got packet type ${type}`);
  return { kind: type === FXP.INIT ? 'init' : 'version', version: r.uint32(), extensions: readPairs(r, maxExtensions) };
}

/** Encodes INIT or VERSION. */
export function encodeHello(hello: SFTPHello): Uint8Array[] {
  const w = new PacketWriter().byte(hello.kind === 'init' ? FXP.INIT : FXP.VERSION).uint32(hello.version);
  for (const [name, data] of hello.extensions) w.string(name).string(data);
  return w.finish();
}

/**
 * Decodes a request. Throws {@link SFTPProtocolError} when the packet is malformed, or returns undefined
 * for a type SFTP v3 does not have (the server answers OP_UNSUPPORTED).
 */
export function decodeRequest(body: Uint8Array): SFTPRequest | undefined {
  const r = new PacketReader(body);
  const type = r.byte();
  const id = r.uint32();
  let req: SFTPRequest;
  const path = PATH_KINDS[type];
  const handleKind = HANDLE_KINDS[type];
  if (path !== undefined) req = { kind: path, id, path: r.text() };
  else if (handleKind !== undefined) req = { kind: handleKind, id, handle: r.string() };
  else {
    switch (type) {
      case FXP.OPEN:
        req = { kind: 'open', id, path: r.text(), pflags: r.uint32(), attrs: readAttrs(r) };
        break;
      case FXP.READ:
        req = { kind: 'read', id, handle: r.string(), offset: r.uint64(), length: r.uint32() };
        break;
      case FXP.WRITE:
        req = { kind: 'write', id, handle: r.string(), offset: r.uint64(), data: r.string() };
        break;
      case FXP.SETSTAT:
        req = { kind: 'setstat', id, path: r.text(), attrs: readAttrs(r) };
        break;
      case FXP.FSETSTAT:
        req = { kind: 'fsetstat', id, handle: r.string(), attrs: readAttrs(r) };
        break;
      case FXP.MKDIR:
        req = { kind: 'mkdir', id, path: r.text(), attrs: readAttrs(r) };
        break;
      case FXP.RENAME:
        req = { kind: 'rename', id, oldPath: r.text(), newPath: r.text() };
        break;
      case FXP.SYMLINK:
        req = { kind: 'symlink', id, targetPath: r.text(), linkPath: r.text() };
        break;
      case FXP.EXTENDED: {
        const request = r.text();
        return { kind: 'extended', id, request, data: r.bytes.subarray(r.bytes.length - r.remaining) };
      }
      default:
        return undefined;
    }
  }
  r.end();
  return req;
}

/** Encodes a request as the chunks of one packet. */
export function encodeRequest(req: SFTPRequest): Uint8Array[] {
  const w = new PacketWriter(req.kind === 'write' ? 64 : 256).byte(KIND_TYPES[req.kind]).uint32(req.id);
  switch (req.kind) {
    case 'open':
      writeAttrs(w.string(req.path).uint32(req.pflags), req.attrs);
      break;
    case 'close':
    case 'fstat':
    case 'readdir':
      w.string(req.handle);
      break;
    case 'read':
      w.string(req.handle).uint64(req.offset).uint32(req.length);
      break;
    case 'write':
      w.string(req.handle).uint64(req.offset).string(req.data);
      break;
    case 'setstat':
    case 'mkdir':
      writeAttrs(w.string(req.path), req.attrs);
      break;
    case 'fsetstat':
      writeAttrs(w.string(req.handle), req.attrs);
      break;
    case 'rename':
      w.string(req.oldPath).string(req.newPath);
      break;
    case 'symlink':
      w.string(req.targetPath).string(req.linkPath);
      break;
    case 'extended':
      w.string(req.request).raw(req.data);
      break;
    default:
      w.string(req.path);
  }
  return w.finish();
}

/** Decodes a response; throws {@link SFTPProtocolError} for a malformed or unknown one. */
export function decodeResponse(body: Uint8Array): SFTPResponse {
  const r = new PacketReader(body);
  const type = r.byte();
  const id = r.uint32();
  let res: SFTPResponse;
  switch (type) {
    case FXP.STATUS: {
      const status = r.uint32();
      // OpenSSH before 2.x and some servers end after the code; the message and language are optional.
      const message = r.remaining > 0 ? r.text() : '';
      const language = r.remaining > 0 ? r.text() : '';
      res = { kind: 'status', id, status, message, language };
      break;
    }
    case FXP.HANDLE:
      res = { kind: 'handle', id, handle: r.string() };
      break;
    case FXP.DATA:
      res = { kind: 'data', id, data: r.string() };
      break;
    case FXP.NAME: {
      const count = r.uint32();
      // A name takes at least 12 bytes (two empty strings and empty attrs): refuse a count the packet cannot hold.
      if (count * 12 > r.remaining) throw new SFTPProtocolError(`${count} names cannot fit in ${r.remaining} bytes`);
      const names: SFTPName[] = [];
      for (let i = 0; i < count; i++) names.push({ filename: r.text(), longname: r.text(), attrs: readAttrs(r) });
      res = { kind: 'name', id, names };
      break;
    }
    case FXP.ATTRS:
      res = { kind: 'attrs', id, attrs: readAttrs(r) };
      break;
    case FXP.EXTENDED_REPLY:
      return { kind: 'extendedReply', id, data: r.bytes.subarray(r.bytes.length - r.remaining) };
    default:
      throw new SFTPProtocolError(`unknown response type ${type}`);
  }
  r.end();
  return res;
}

/** Encodes a response as the chunks of one packet. */
export function encodeResponse(res: SFTPResponse): Uint8Array[] {
  const types = { status: FXP.STATUS, handle: FXP.HANDLE, data: FXP.DATA, name: FXP.NAME, attrs: FXP.ATTRS, extendedReply: FXP.EXTENDED_REPLY };
  const w = new PacketWriter(res.kind === 'data' ? 64 : 256).byte(types[res.kind]).uint32(res.id);
  switch (res.kind) {
    case 'status':
      w.uint32(res.status).string(res.message).string(res.language);
      break;
    case 'handle':
      w.string(res.handle);
      break;
    case 'data':
      w.string(res.data);
      break;
    case 'name':
      w.uint32(res.names.length);
      for (const n of res.names) writeAttrs(w.string(n.filename).string(n.longname), n.attrs);
      break;
    case 'attrs':
      writeAttrs(w, res.attrs);
      break;
    case 'extendedReply':
      w.raw(res.data);
      break;
  }
  return w.finish();
}
