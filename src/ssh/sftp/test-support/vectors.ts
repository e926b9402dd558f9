/**
 * One of every request and response, for codec and fuzz tests.
 * @module
 */
import type { SFTPAttrs } from '../attrs.js';
import { FX, FXF } from '../constants.js';
import type { SFTPRequest, SFTPResponse } from '../packets.js';

const h = new Uint8Array([0, 0, 0, 7]);
export const attrs: SFTPAttrs = { size: 2 ** 40 + 5, uid: 1000, gid: 100, permissions: 0o100644, atime: 1_700_000_000, mtime: 1_700_000_001, extended: [['vendor@example.org', new Uint8Array([1, 2, 3])]] };
export const big = new Uint8Array(5000).map((_, i) => i & 0xff);

export const REQUESTS: SFTPRequest[] = [
  { kind: 'open', id: 1, path: 'dir/ファイル.txt', pflags: FXF.READ | FXF.WRITE | FXF.CREAT, attrs },
  { kind: 'close', id: 2, handle: h },
  { kind: 'read', id: 3, handle: h, offset: 2 ** 50, length: 32768 },
  { kind: 'write', id: 4, handle: h, offset: 12, data: big },
  { kind: 'lstat', id: 5, path: '/a' },
  { kind: 'fstat', id: 6, handle: h },
  { kind: 'setstat', id: 7, path: 'x', attrs: { permissions: 0o600 } },
  { kind: 'fsetstat', id: 8, handle: h, attrs: { atime: 1, mtime: 2 } },
  { kind: 'opendir', id: 9, path: '.' },
  { kind: 'readdir', id: 10, handle: h },
  { kind: 'remove', id: 11, path: 'r' },
  { kind: 'mkdir', id: 12, path: 'm', attrs: {} },
  { kind: 'rmdir', id: 13, path: 'm' },
  { kind: 'realpath', id: 14, path: '..' },
  { kind: 'stat', id: 15, path: 's' },
  { kind: 'rename', id: 16, oldPath: 'a', newPath: 'b' },
  { kind: 'readlink', id: 17, path: 'l' },
  { kind: 'symlink', id: 18, targetPath: 't', linkPath: 'l' },
  { kind: 'extended', id: 0xffffffff, request: 'posix-rename@openssh.com', data: new Uint8Array([0, 0, 0, 1, 97, 0, 0, 0, 1, 98]) },
];

export const RESPONSES: SFTPResponse[] = [
  { kind: 'status', id: 1, status: FX.NO_SUCH_FILE, message: 'No such file', language: 'en' },
  { kind: 'handle', id: 2, handle: h },
  { kind: 'data', id: 3, data: big },
  { kind: 'name', id: 4, names: [{ filename: 'a', longname: '-rw-r--r-- 1 0 0 0 Jan  1  1970 a', attrs }, { filename: 'b', longname: '', attrs: {} }] },
  { kind: 'attrs', id: 5, attrs },
  { kind: 'extendedReply', id: 6, data: new Uint8Array([9, 9]) },
];

