/**
 * IMAP logins (RFC 3501 §6.2.3, RFC 4616 through AUTHENTICATE PLAIN): through `torsion/cred` to an
 * account whose mailbox is a maildir, opened as a {@link MailboxTree}.
 * @module
 */
import { UsernamePassword, type Portal } from '../../cred/index.js';
import { IMailAccount } from '../account.js';
import { IMAPRefusedError } from '../errors.js';
import type { IMAPLimits } from '../limits.js';
import { MaildirMailbox } from '../maildir/mailbox.js';
import { MailboxTree } from './mailboxes.js';

/** A logged-in session's mailboxes and how to log out. */
export interface IMAPLogin {
  tree: MailboxTree;
  logout: () => void;
}

/**
 * Logs `user` in; a refusal is an {@link IMAPRefusedError} with its response code. `failed` is called for
 * wrong credentials (not for an account without a maildir), so the session can count them.
 */
export async function imapLogin(portal: Portal, user: string, password: string, peer: string, limits: IMAPLimits, failed: () => void): Promise<IMAPLogin> {
  try {
    const [, account, logout] = await portal.login(new UsernamePassword(user, password, peer), null, IMailAccount).asPromise();
    const box = await account.openMailbox().asPromise();
    if (!(box instanceof MaildirMailbox)) {
      logout();
      throw new IMAPRefusedError('[UNAVAILABLE] This account has no maildir');
    }
    return { tree: new MailboxTree(box.maildir, limits), logout };
  } catch (e) {
    if (e instanceof IMAPRefusedError) throw e;
    failed();
    throw new IMAPRefusedError('[AUTHENTICATIONFAILED] Invalid credentials');
  }
}
