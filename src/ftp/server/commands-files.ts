/**
 * File commands answered on the control connection: the working folder (`CWD`, `CDUP`, `PWD`), changes
 * (`MKD`, `RMD`, `DELE`, `RNFR`/`RNTO`) and facts (`SIZE`, `MDTM`, `MLST`).
 * @module
 */
import type { Deferred } from '../../defer/index.js';
import { FTPFileSystemError } from '../errors.js';
import type { Segments } from '../interfaces.js';
import { formatFacts, formatTimeVal } from '../listing.js';
import { formatPath, quotePath, resolvePath } from '../paths.js';
import type { CommandHandler } from './commands.js';
import type { FTPServerProtocol } from './protocol.js';

/** The segments of `argument`, or a `501` when there is none. */
function target(p: FTPServerProtocol, argument: string): Segments | null {
  if (argument === '') {
    p.reply(501, 'A path is needed');
    return null;
  }
  return resolvePath(p.cwd, argument);
}

function shell(p: FTPServerProtocol) {
  return p.shell!;
}

function cwd(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const path = resolvePath(p.cwd, argument === '' ? '/' : argument);
  return shell(p)
    .stat(path)
    .addCallback((info) => {
      if (info.type !== 'dir') throw new FTPFileSystemError(550, `${formatPath(path)}: not a directory`);
      p.cwd = path;
      p.reply(250, `Directory changed to ${formatPath(path)}`);
    });
}

function cdup(p: FTPServerProtocol): void | Deferred<unknown> {
  return cwd(p, '..');
}

function mkd(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const path = target(p, argument);
  if (path === null) return;
  return shell(p)
    .makeDirectory(path)
    .addCallback(() => p.reply(257, `${quotePath(path)} created`));
}

function rmd(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const path = target(p, argument);
  if (path === null) return;
  return shell(p)
    .removeDirectory(path)
    .addCallback(() => p.reply(250, 'Directory removed'));
}

function dele(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const path = target(p, argument);
  if (path === null) return;
  return shell(p)
    .removeFile(path)
    .addCallback(() => p.reply(250, 'File deleted'));
}

function rnfr(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const path = target(p, argument);
  if (path === null) return;
  if (shell(p).readOnly) throw new FTPFileSystemError(550, 'Permission denied');
  return shell(p)
    .stat(path)
    .addCallback(() => {
      p.renameFrom = path;
      p.reply(350, 'Ready for RNTO');
    });
}

function rnto(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const from = p.renameFrom;
  p.renameFrom = null;
  if (from === null) return p.reply(503, 'RNFR first');
  const path = target(p, argument);
  if (path === null) return;
  return shell(p)
    .rename(from, path)
    .addCallback(() => p.reply(250, 'Rename successful'));
}

function size(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const path = target(p, argument);
  if (path === null) return;
  return shell(p)
    .stat(path)
    .addCallback((info) => {
      if (info.type !== 'file') throw new FTPFileSystemError(550, `${formatPath(path)}: not a plain file`);
      p.reply(213, String(info.size));
    });
}

function mdtm(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const path = target(p, argument);
  if (path === null) return;
  return shell(p)
    .stat(path)
    .addCallback((info) => p.reply(213, formatTimeVal(info.modified)));
}

function mlst(p: FTPServerProtocol, argument: string): void | Deferred<unknown> {
  const path = resolvePath(p.cwd, argument === '' ? '.' : argument);
  return shell(p)
    .stat(path)
    .addCallback((info) => {
      const named = { ...info, name: formatPath(path) };
      p.reply(250, [`Listing ${formatPath(path)}`, ` ${formatFacts(named, shell(p).readOnly)}`, 'End']);
    });
}

/** The file commands (with the `X...` aliases of RFC 775 some clients still send). */
export const FILE_COMMANDS: ReadonlyArray<[string, CommandHandler]> = [
  ['CWD', { login: true, run: cwd }],
  ['XCWD', { login: true, run: cwd }],
  ['CDUP', { login: true, run: cdup }],
  ['XCUP', { login: true, run: cdup }],
  ['PWD', { login: true, run: (p) => p.reply(257, `${quotePath(p.cwd)} is the current directory`) }],
  ['XPWD', { login: true, run: (p) => p.reply(257, `${quotePath(p.cwd)} is the current directory`) }],
  ['MKD', { login: true, run: mkd }],
  ['XMKD', { login: true, run: mkd }],
  ['RMD', { login: true, run: rmd }],
  ['XRMD', { login: true, run: rmd }],
  ['DELE', { login: true, run: dele }],
  ['RNFR', { login: true, run: rnfr }],
  ['RNTO', { login: true, run: rnto }],
  ['SIZE', { login: true, run: size }],
  ['MDTM', { login: true, run: mdtm }],
  ['MLST', { login: true, run: mlst }],
];
