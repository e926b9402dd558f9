/**
 * `FTPRealm`: gives each login a `FilesystemShell` on the server's root (Twisted's `FTPRealm`); the
 * anonymous avatar gets a read-only one.
 * @module
 */
import { ANONYMOUS, UnsupportedAvatarInterface, type AvatarId, type AvatarInterface, type IRealm, type LoginResult } from '../../cred/index.js';
import { IFTPShell } from '../shell-interface.js';
import { FilesystemShell } from './filesystem-shell.js';

/**
 * Every user shares `root`; anonymous logins may only read it.
 *
 * @example
 * const portal = new Portal(new FTPRealm('./public'), checkers);
 */
export class FTPRealm implements IRealm {
  constructor(readonly root: string) {}

  requestAvatar(avatarId: AvatarId, _mind: unknown, ...interfaces: AvatarInterface[]): LoginResult {
    if (!interfaces.includes(IFTPShell)) throw new UnsupportedAvatarInterface('FTPRealm only gives IFTPShell avatars');
    const shell = new FilesystemShell(this.root, { readOnly: avatarId === ANONYMOUS });
    return [IFTPShell, shell, () => undefined] as unknown as LoginResult;
  }
}
