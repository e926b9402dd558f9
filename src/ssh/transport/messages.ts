/**
 * Parsers and writers of the transport layer's messages (RFC 4253 §7–11, RFC 5656 §4, RFC 8308 §2).
 * Every parser checks each length against what is left, bounds the name-lists, refuses trailing bytes,
 * and throws {@link SSHProtocolError} for anything malformed.
 * @module
 */
import { BadKeyError } from '../../cred/errors.js';
import { WireReader, WireWriter, concatBytes } from '../../cred/ssh-wire.js';
import { SSHProtocolError } from '../errors.js';
import { DEFAULT_SSH_TRANSPORT_LIMITS, type SSHTransportLimits } from '../limits.js';
import { MSG } from './constants.js';

type NameLimits = Pick<SSHTransportLimits, 'maxNameListLength' | 'maxExtensions'>;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A reader of `payload` after its message number, which must be `type`. */
function reader(payload: Uint8Array, type: number): WireReader {
  if (payload.length === 0 || payload[0] !== type) throw new SSHProtocolError(`expected message ${type}, got ${payload[0]}`);
  return new WireReader(payload.subarray(1));
}

/** Runs a parser, turning the wire reader's errors into protocol errors. */
function parsing<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof BadKeyError) throw new SSHProtocolError(`malformed ${what}: ${e.message}`);
    throw e;
  }
}

/** A message: its number, then the fields `write` adds. */
function message(type: number, write?: (w: WireWriter) => void): Uint8Array {
  const w = new WireWriter();
  write?.(w);
  return concatBytes(Uint8Array.of(type), w.bytes());
}

function readNameList(r: WireReader, limits: NameLimits): string[] {
  const bytes = r.string();
  if (bytes.length > limits.maxNameListLength) throw new SSHProtocolError(`a name-list of ${bytes.length} bytes, over ${limits.maxNameListLength}`);
  if (bytes.length === 0) return [];
  for (const b of bytes) if (b <= 0x20 || b > 0x7e) throw new SSHProtocolError('a name-list holds a byte that is not printable ASCII');
  const names = String.fromCharCode(...bytes).split(',');
  if (names.some((n) => n.length === 0 || n.length > 64)) throw new SSHProtocolError('a name-list holds an empty or over-long name');
  return names;
}

/** SSH_MSG_KEXINIT (RFC 4253 §7.1). */
export interface KexInit {
  readonly cookie: Uint8Array;
  readonly kex: readonly string[];
  readonly hostKey: readonly string[];
  readonly cipherClientToServer: readonly string[];
  readonly cipherServerToClient: readonly string[];
  readonly macClientToServer: readonly string[];
  readonly macServerToClient: readonly string[];
  readonly compressionClientToServer: readonly string[];
  readonly compressionServerToClient: readonly string[];
  readonly languagesClientToServer: readonly string[];
  readonly languagesServerToClient: readonly string[];
  readonly firstKexPacketFollows: boolean;
}

const KEXINIT_LISTS = [
  'kex',
  'hostKey',
  'cipherClientToServer',
  'cipherServerToClient',
  'macClientToServer',
  'macServerToClient',
  'compressionClientToServer',
  'compressionServerToClient',
  'languagesClientToServer',
  'languagesServerToClient',
] as const;

export function encodeKexInit(m: KexInit): Uint8Array {
  const w = new WireWriter();
  for (const list of KEXINIT_LISTS) w.string(m[list].join(','));
  return concatBytes(Uint8Array.of(MSG.KEXINIT), m.cookie, w.bytes(), Uint8Array.of(m.firstKexPacketFollows ? 1 : 0, 0, 0, 0, 0));
}

export function parseKexInit(payload: Uint8Array, limits: NameLimits = DEFAULT_SSH_TRANSPORT_LIMITS): KexInit {
  if (payload[0] !== MSG.KEXINIT || payload.length < 17) throw new SSHProtocolError('malformed KEXINIT: too short');
  return parsing('KEXINIT', () => {
    const r = new WireReader(payload.subarray(17));
    const lists = {} as Record<(typeof KEXINIT_LISTS)[number], string[]>;
    for (const list of KEXINIT_LISTS) lists[list] = readNameList(r, limits);
    // boolean first_kex_packet_follows and uint32 reserved close the message.
    if (r.remaining !== 5) throw new SSHProtocolError(`malformed KEXINIT: ${r.remaining} bytes after the name-lists, not 5`);
    const follows = payload[payload.length - 5] !== 0;
    return { cookie: payload.slice(1, 17), ...lists, firstKexPacketFollows: follows };
  });
}

/** KEXDH_INIT / KEX_ECDH_INIT: the client's public value (`mpint e` or `string Q_C`; the same bytes on the wire for a positive e). */
export function encodeKexInitValue(value: Uint8Array, asMpint: boolean): Uint8Array {
  return message(MSG.KEX_INIT, (w) => (asMpint ? w.mpint(value) : w.string(value)));
}

export function parseKexInitValue(payload: Uint8Array, asMpint: boolean): Uint8Array {
  return parsing('KEX_INIT', () => {
    const r = reader(payload, MSG.KEX_INIT);
    const value = asMpint ? r.mpint() : r.string();
    r.end();
    return value;
  });
}

/** KEXDH_REPLY / KEX_ECDH_REPLY: the host key blob, the server's public value, the signature of the exchange hash. */
export interface KexReply {
  readonly hostKey: Uint8Array;
  readonly value: Uint8Array;
  readonly signature: Uint8Array;
}

export function encodeKexReply(m: KexReply, asMpint: boolean): Uint8Array {
  return message(MSG.KEX_REPLY, (w) => {
    w.string(m.hostKey);
    if (asMpint) w.mpint(m.value);
    else w.string(m.value);
    w.string(m.signature);
  });
}

export function parseKexReply(payload: Uint8Array, asMpint: boolean): KexReply {
  return parsing('KEX_REPLY', () => {
    const r = reader(payload, MSG.KEX_REPLY);
    const hostKey = r.string();
    const value = asMpint ? r.mpint() : r.string();
    const signature = r.string();
    r.end();
    return { hostKey, value, signature };
  });
}

/** SSH_MSG_DISCONNECT. */
export interface Disconnect {
  readonly reasonCode: number;
  readonly description: string;
}

export function encodeDisconnect(m: Disconnect): Uint8Array {
  return message(MSG.DISCONNECT, (w) => w.uint32(m.reasonCode).string(m.description).string(''));
}

/** Lenient on the text fields (many peers send odd ones): a description that cannot be read is empty. */
export function parseDisconnect(payload: Uint8Array): Disconnect {
  return parsing('DISCONNECT', () => {
    const r = reader(payload, MSG.DISCONNECT);
    const reasonCode = r.uint32();
    const description = r.remaining >= 4 ? utf8.decode(r.string()) : '';
    return { reasonCode, description };
  });
}

/** SSH_MSG_DEBUG: always_display, message. */
export function parseDebug(payload: Uint8Array): { alwaysDisplay: boolean; message: string } {
  return parsing('DEBUG', () => {
    if (payload.length < 2) throw new SSHProtocolError('malformed DEBUG: too short');
    const r = new WireReader(payload.subarray(2));
    return { alwaysDisplay: payload[1] !== 0, message: utf8.decode(r.string()) };
  });
}

export function encodeIgnore(data: Uint8Array): Uint8Array {
  return message(MSG.IGNORE, (w) => w.string(data));
}

export function encodeUnimplemented(sequence: number): Uint8Array {
  return message(MSG.UNIMPLEMENTED, (w) => w.uint32(sequence));
}

export function parseUnimplemented(payload: Uint8Array): number {
  return parsing('UNIMPLEMENTED', () => reader(payload, MSG.UNIMPLEMENTED).uint32());
}

/** SERVICE_REQUEST and SERVICE_ACCEPT: one service name. */
export function encodeServiceMessage(type: typeof MSG.SERVICE_REQUEST | typeof MSG.SERVICE_ACCEPT, name: string): Uint8Array {
  return message(type, (w) => w.string(name));
}

export function parseServiceMessage(payload: Uint8Array, type: typeof MSG.SERVICE_REQUEST | typeof MSG.SERVICE_ACCEPT): string {
  return parsing('service message', () => {
    const r = reader(payload, type);
    const name = r.text();
    r.end();
    return name;
  });
}

/** SSH_MSG_EXT_INFO (RFC 8308 §2.3): extension names and values, in order. */
export function encodeExtInfo(extensions: ReadonlyMap<string, string>): Uint8Array {
  return message(MSG.EXT_INFO, (w) => {
    w.uint32(extensions.size);
    for (const [name, value] of extensions) w.string(name).string(value);
  });
}

export function parseExtInfo(payload: Uint8Array, limits: NameLimits = DEFAULT_SSH_TRANSPORT_LIMITS): Map<string, Uint8Array> {
  return parsing('EXT_INFO', () => {
    const r = reader(payload, MSG.EXT_INFO);
    const count = r.uint32();
    if (count > limits.maxExtensions) throw new SSHProtocolError(`EXT_INFO with ${count} extensions, over ${limits.maxExtensions}`);
    const out = new Map<string, Uint8Array>();
    for (let i = 0; i < count; i++) {
      const name = utf8.decode(r.string());
      out.set(name, r.string());
    }
    return out;
  });
}

/** The `server-sig-algs` value: a name-list. */
export function parseSigAlgs(value: Uint8Array, limits: NameLimits = DEFAULT_SSH_TRANSPORT_LIMITS): string[] {
  return parsing('server-sig-algs', () => readNameList(new WireReader(new WireWriter().string(value).bytes()), limits));
}
