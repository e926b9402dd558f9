/**
 * The `--auth` strings (Twisted's `strcred`): a checker from one short string, so every server plugin
 * takes the same repeatable option.
 *
 * - `memory:alice:secret:bob:hunter22`: users and passwords inline (passwords cannot hold `:`);
 * - `file:PATH`: a {@link FilePasswordDB} (`user:password` or `user:scrypt$...` lines, `#` comments);
 * - `anonymous`: {@link AllowAnonymousAccess};
 * - `sshkeys` / `sshkeys:DIR`: public keys from `~user/.ssh/authorized_keys`, or from `DIR/<user>`.
 *
 * There is no `unix` kind: Torsion does not read the system's password hashes.
 * @module
 */
import { statSync } from 'node:fs';
import { AllowAnonymousAccess } from './anonymous.js';
import { SSHPublicKeyChecker } from './authorized-keys-checker.js';
import { AuthorizedKeysFiles, authorizedKeysDirectory } from './authorized-keys-files.js';
import { BadAuthString } from './errors.js';
import { FilePasswordDB } from './file-password-db.js';
import type { ICredentialsChecker } from './interfaces.js';
import { InMemoryUsernamePasswordDatabase } from './password-checker.js';

/** One kind of `--auth` string. */
export interface AuthKind {
  /** The prefix before the first `:`. */
  name: string;
  /** How its argument is written. */
  usage: string;
  /** One line of help. */
  description: string;
  /** Builds the checker from the text after the first `:` (undefined when there is no `:`). */
  make(argument: string | undefined): ICredentialsChecker;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function memory(argument: string | undefined): ICredentialsChecker {
  if (!argument) throw new BadAuthString('memory: needs users and passwords, as memory:alice:secret:bob:hunter22');
  const parts = argument.split(':');
  if (parts.length % 2 !== 0) throw new BadAuthString(`memory: needs user:password pairs, but ${JSON.stringify(parts[parts.length - 1])} has no password (a password cannot hold ":"; use file: for that)`);
  const users = new Map<string, string>();
  for (let i = 0; i < parts.length; i += 2) {
    const [user, password] = [parts[i], parts[i + 1]];
    if (user === '') throw new BadAuthString(`memory: user ${i / 2 + 1} has an empty name`);
    if (users.has(user)) throw new BadAuthString(`memory: user ${JSON.stringify(user)} is given twice`);
    users.set(user, password);
  }
  return new InMemoryUsernamePasswordDatabase(users);
}

function file(argument: string | undefined): ICredentialsChecker {
  if (!argument) throw new BadAuthString('file: needs a path, as file:./users');
  if (!isFile(argument)) throw new BadAuthString(`file: ${argument} is not a readable file`);
  return new FilePasswordDB(argument);
}

function anonymous(argument: string | undefined): ICredentialsChecker {
  if (argument !== undefined) throw new BadAuthString('anonymous takes no argument');
  return new AllowAnonymousAccess();
}

function sshkeys(argument: string | undefined): ICredentialsChecker {
  if (argument === undefined) return new SSHPublicKeyChecker(new AuthorizedKeysFiles());
  if (!isDirectory(argument)) throw new BadAuthString(`sshkeys: ${argument} is not a folder`);
  return new SSHPublicKeyChecker(new AuthorizedKeysFiles(authorizedKeysDirectory(argument)));
}

/** Every kind of `--auth` string. */
export const AUTH_KINDS: readonly AuthKind[] = [
  { name: 'memory', usage: 'memory:USER:PASSWORD[:USER:PASSWORD...]', description: 'users and passwords given inline (for tests; passwords show in ps)', make: memory },
  { name: 'file', usage: 'file:PATH', description: 'a file of user:password lines (or user:scrypt$... hashes as torsion words stores them); # starts a comment', make: file },
  { name: 'anonymous', usage: 'anonymous', description: 'anyone may log in as the anonymous user', make: anonymous },
  { name: 'sshkeys', usage: 'sshkeys[:DIR]', description: "SSH public keys from ~USER/.ssh/authorized_keys, or from the file DIR/USER", make: sshkeys },
];

/**
 * The checker an `--auth` string describes; throws `BadAuthString` naming what is wrong.
 *
 * @example
 * const checker = checkerFromString('memory:alice:secret');
 */
export function checkerFromString(description: string): ICredentialsChecker {
  const colon = description.indexOf(':');
  const name = colon < 0 ? description : description.slice(0, colon);
  const argument = colon < 0 ? undefined : description.slice(colon + 1);
  const kind = AUTH_KINDS.find((k) => k.name === name);
  if (kind === undefined) {
    const why = name === 'unix' ? ' (Torsion does not read the system password database; use file:)' : '';
    throw new BadAuthString(`unknown --auth kind ${JSON.stringify(name)}${why}: use one of ${AUTH_KINDS.map((k) => k.name).join(', ')}`);
  }
  return kind.make(argument);
}

/** The checkers of repeated `--auth` options, in order; throws `BadAuthString` for the first bad one. */
export function checkersFromStrings(descriptions: readonly string[]): ICredentialsChecker[] {
  return descriptions.map(checkerFromString);
}

/** The text `--help-auth` shows: every kind with its usage. */
export function authHelp(): string {
  const width = Math.max(...AUTH_KINDS.map((k) => k.usage.length));
  const lines = ['--auth takes a checker description, and may be given more than once:', ''];
  for (const k of AUTH_KINDS) lines.push(`  ${k.usage.padEnd(width)}  ${k.description}`);
  return `${lines.join('\n')}\n`;
}
