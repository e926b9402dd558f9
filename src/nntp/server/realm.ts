/**
 * The avatar a news reader logs in as, and the realm giving it.
 * @module
 */
import { ANONYMOUS, defineAvatarInterface, type AvatarId, type AvatarInterface, type IRealm, type LoginResult } from '../../cred/index.js';
import { UnsupportedAvatarInterface } from '../../cred/index.js';

/** Who is reading or posting on an NNTP connection. */
export interface NewsReader {
  /** The login name (`anonymous` for an anonymous login). */
  readonly name: string;
}

/** The avatar interface the NNTP server asks the portal for. */
export const INewsReader: AvatarInterface<NewsReader> = defineAvatarInterface<NewsReader>('INewsReader');

/** A realm giving every authenticated id a {@link NewsReader} of that name. */
export class NewsRealm implements IRealm {
  requestAvatar(avatarId: AvatarId, _mind: unknown, ...interfaces: AvatarInterface[]): LoginResult {
    if (!interfaces.includes(INewsReader)) throw new UnsupportedAvatarInterface('NewsRealm gives only INewsReader avatars');
    const reader: NewsReader = { name: avatarId === ANONYMOUS ? 'anonymous' : String(avatarId) };
    return [INewsReader, reader, () => {}] as LoginResult;
  }
}
