/**
 * `WordsRealm`: the words service as a `torsion/cred` realm, so a user any checker authenticated (a
 * password file, SSH keys, the words accounts themselves) can be logged into the chat.
 * @module
 */
import { UnauthorizedLogin, UnsupportedAvatarInterface, defineAvatarInterface } from '../cred/index.js';
import type { AvatarId, AvatarInterface, IRealm, LoginResult } from '../cred/index.js';
import { Deferred } from '../defer/index.js';
import type { IChatClient } from './interfaces.js';
import { foldName } from './names.js';
import { verifiedAccountFromChecker, type VerifiedAccount, type WordsService } from './service.js';
import type { ChatUser, UserDetails } from './user.js';

/** The avatar that is the proof of an account: the front door logs in with it under the nick it chooses. */
export const IWordsAccount: AvatarInterface<VerifiedAccount> = defineAvatarInterface<VerifiedAccount>('IWordsAccount');

/** The avatar that is a logged-in chat session; logging out quits it. */
export const IChatUser: AvatarInterface<ChatUser> = defineAvatarInterface<ChatUser>('IChatUser');

/** What a front door passes as `mind` when it asks for {@link IChatUser}. */
export interface WordsMind extends UserDetails {
  /** Where the session's events go. */
  client: IChatClient;
  /** The nick to take (the avatar id by default). */
  nick?: string;
}

/**
 * Gives avatars of a {@link WordsService} for the ids a portal's checkers vouched for (Twisted Words'
 * realm). The id becomes a {@link VerifiedAccount} of that name, which owns the registered nick of the
 * same name: configure a portal only with checkers whose names may stand for the words accounts of the
 * same name. Anonymous ids are refused. This realm is the only way from a checker to a verified account,
 * so hand it to a `Portal`, not to code that should not log people in.
 *
 * @example
 * const portal = new Portal(new WordsRealm(words), [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
 * const [, user, logout] = await portal.login(new UsernamePassword('alice', 'secret'), { client }, IChatUser);
 */
export class WordsRealm implements IRealm {
  constructor(readonly service: WordsService) {}

  requestAvatar(avatarId: AvatarId, mind: unknown, ...interfaces: AvatarInterface[]): Deferred<LoginResult> {
    if (typeof avatarId !== 'string') return Deferred.fail(new UnauthorizedLogin('anonymous users have no words account'));
    for (const iface of interfaces) {
      if (iface === IWordsAccount) return this.#account(avatarId).addCallback((account): LoginResult => [IWordsAccount, account, () => {}]);
      if (iface === IChatUser) {
        if (!isMind(mind)) return Deferred.fail(new TypeError('IChatUser needs a mind of the form { client: IChatClient }'));
        const { client, nick, ...details } = mind;
        return this.#account(avatarId)
          .addCallback((account) => this.service.login(nick ?? avatarId, { ...details, client, account }))
          .addCallback((user): LoginResult => [IChatUser, user, () => user.quit()]);
      }
    }
    return Deferred.fail(new UnsupportedAvatarInterface('WordsRealm gives IWordsAccount and IChatUser'));
  }

  /** The proof for `name`, spelled as registered when the account exists. */
  #account(name: string): Deferred<VerifiedAccount> {
    return this.service.store.getAccount(foldName(name)).addCallback((record) => verifiedAccountFromChecker(record?.name ?? name));
  }
}

function isMind(mind: unknown): mind is WordsMind {
  return typeof mind === 'object' && mind !== null && typeof (mind as { client?: { receive?: unknown } }).client?.receive === 'function';
}
