/**
 * The avatar interface FTP servers ask `torsion/cred` portals for.
 * @module
 */
import { defineAvatarInterface } from '../cred/index.js';
import type { IFTPShell as Shell } from './interfaces.js';

/** The avatar token of an FTP login's file shell: `portal.login(credentials, null, IFTPShell)`. */
export const IFTPShell = defineAvatarInterface<Shell>('IFTPShell');
