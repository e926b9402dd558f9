/**
 * The algorithm names the transport layer speaks, which of them are on by default, and the KEXINIT
 * negotiation of RFC 4253 §7.1 (the first of the client's names the server also has).
 * @module
 */
import { SSHKexError } from '../errors.js';
import type { KexInit } from './messages.js';

/** Algorithm lists in preference order, as one side offers them. */
export interface SSHAlgorithms {
  readonly kex: readonly string[];
  readonly hostKey: readonly string[];
  readonly cipher: readonly string[];
  readonly mac: readonly string[];
  readonly compression: readonly string[];
}

/** Key exchange methods, best first. SHA-1 ones are left out unless asked for. */
export const KEX_ALGORITHMS = ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521', 'diffie-hellman-group16-sha512', 'diffie-hellman-group14-sha256'] as const;
/** Host key signature algorithms (RFC 8709, 5656, 8332). */
export const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'] as const;
/** Ciphers: the AEADs first, then CTR (RFC 4344). */
export const CIPHER_ALGORITHMS = ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com', 'aes256-ctr', 'aes128-ctr'] as const;
/** MACs: encrypt-then-MAC first. */
export const MAC_ALGORITHMS = ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'] as const;
/** Compression: none, or zlib once the user is authenticated. */
export const COMPRESSION_ALGORITHMS = ['none', 'zlib@openssh.com'] as const;

/** Understood, but off unless a caller lists them: SHA-1 key exchange and signatures, CBC, SHA-1 MACs. */
export const LEGACY_ALGORITHMS: SSHAlgorithms = Object.freeze({
  kex: ['diffie-hellman-group14-sha1'],
  hostKey: ['ssh-rsa'],
  cipher: ['aes256-cbc', 'aes128-cbc'],
  mac: ['hmac-sha1-etm@openssh.com', 'hmac-sha1'],
  compression: [],
});

/** The defaults both sides offer. */
export const DEFAULT_ALGORITHMS: SSHAlgorithms = Object.freeze({
  kex: KEX_ALGORITHMS,
  hostKey: HOST_KEY_ALGORITHMS,
  cipher: CIPHER_ALGORITHMS,
  mac: MAC_ALGORITHMS,
  compression: COMPRESSION_ALGORITHMS,
});

const SUPPORTED: Record<keyof SSHAlgorithms, ReadonlySet<string>> = {
  kex: new Set([...KEX_ALGORITHMS, ...LEGACY_ALGORITHMS.kex]),
  hostKey: new Set([...HOST_KEY_ALGORITHMS, ...LEGACY_ALGORITHMS.hostKey]),
  cipher: new Set([...CIPHER_ALGORITHMS, ...LEGACY_ALGORITHMS.cipher]),
  mac: new Set([...MAC_ALGORITHMS, ...LEGACY_ALGORITHMS.mac]),
  compression: new Set(COMPRESSION_ALGORITHMS),
};

/**
 * `wanted` merged over the defaults and checked: every name must be one this transport implements
 * (a typo would otherwise silently narrow what is offered).
 */
export function resolveAlgorithms(wanted: Partial<SSHAlgorithms> | undefined): SSHAlgorithms {
  const out = { ...DEFAULT_ALGORITHMS, ...wanted };
  for (const kind of Object.keys(SUPPORTED) as (keyof SSHAlgorithms)[]) {
    if (out[kind].length === 0) throw new RangeError(`no ${kind} algorithm offered`);
    for (const name of out[kind]) if (!SUPPORTED[kind].has(name)) throw new RangeError(`unsupported ${kind} algorithm ${JSON.stringify(name)}`);
  }
  return out;
}

/** Pseudo-algorithms in the kex list that signal extensions rather than name a method. */
export const EXT_INFO_C = 'ext-info-c';
export const EXT_INFO_S = 'ext-info-s';
export const STRICT_KEX_C = 'kex-strict-c-v00@openssh.com';
export const STRICT_KEX_S = 'kex-strict-s-v00@openssh.com';

/** What a key exchange settled on. */
export interface NegotiatedAlgorithms {
  readonly kex: string;
  readonly hostKey: string;
  readonly cipherClientToServer: string;
  readonly cipherServerToClient: string;
  readonly macClientToServer: string;
  readonly macServerToClient: string;
  readonly compressionClientToServer: string;
  readonly compressionServerToClient: string;
}

function choose(what: string, client: readonly string[], server: readonly string[]): string {
  const offered = new Set(server);
  const found = client.find((name) => offered.has(name));
  if (found === undefined) throw new SSHKexError(`no ${what} algorithm in common (client: ${client.join(',')}; server: ${server.join(',')})`);
  return found;
}

/** The MAC only matters without an AEAD cipher, which carries its own tag (OpenSSH skips it then too). */
function chooseMac(cipher: string, aead: (name: string) => boolean, client: readonly string[], server: readonly string[]): string {
  return aead(cipher) ? '' : choose('MAC', client, server);
}

/**
 * Negotiates from the two KEXINITs (RFC 4253 §7.1). The extension pseudo-names never match, as each side
 * lists its own. Throws {@link SSHKexError} when a list has nothing in common.
 */
export function negotiate(client: KexInit, server: KexInit, aead: (cipher: string) => boolean): NegotiatedAlgorithms {
  const pseudo = new Set([EXT_INFO_C, EXT_INFO_S, STRICT_KEX_C, STRICT_KEX_S]);
  const cipherClientToServer = choose('cipher (client to server)', client.cipherClientToServer, server.cipherClientToServer);
  const cipherServerToClient = choose('cipher (server to client)', client.cipherServerToClient, server.cipherServerToClient);
  return {
    kex: choose('key exchange', client.kex.filter((n) => !pseudo.has(n)), server.kex),
    hostKey: choose('host key', client.hostKey, server.hostKey),
    cipherClientToServer,
    cipherServerToClient,
    macClientToServer: chooseMac(cipherClientToServer, aead, client.macClientToServer, server.macClientToServer),
    macServerToClient: chooseMac(cipherServerToClient, aead, client.macServerToClient, server.macServerToClient),
    compressionClientToServer: choose('compression (client to server)', client.compressionClientToServer, server.compressionClientToServer),
    compressionServerToClient: choose('compression (server to client)', client.compressionServerToClient, server.compressionServerToClient),
  };
}
