/**
 * `torsion/words`: one chat service — users, rooms, membership, accounts, history — that several front
 * doors serve at once (Twisted Words): the IRC server of `torsion/words/irc` and the live web chat of
 * `torsion/words/web`. The service knows no protocol; each door maps its own to and from this model.
 * @module
 */
export type * from './interfaces.js';
export * from './errors.js';
export { foldName, isValidNick, isValidRoomName, isRoomName, ROOM_PREFIXES, NICK_RULE } from './names.js';
export {
  NICK_MAX_LENGTH,
  ROOM_MAX_LENGTH,
  TOPIC_MAX_LENGTH,
  REASON_MAX_LENGTH,
  AWAY_MAX_LENGTH,
  REALNAME_MAX_LENGTH,
  MASK_MAX_LENGTH,
  ANNOUNCEMENT_MAX_LENGTH,
  WORDS_LIMITS,
} from './limits.js';
export { normalizeMask, maskMatches, globMatcher, sameMask, type MaskSubject } from './masks.js';
export { DepartedUsers, type WhowasOptions } from './whowas.js';
export { scrubText, scrubTags } from './text.js';
export { OutputBatches, type OutputBatcher } from './output-batch.js';
export { hashPassword, verifyPassword, DEFAULT_SCRYPT, type ScryptParams } from './passwords.js';
export { makeScramKeys, SCRAM_HASHES, type ScramLoginSuccess, type WordsScramLogin } from './scram.js';
export { MemoryStore, selectHistory, type MemoryStoreOptions } from './memory-store.js';
export { DbStore, type DbStoreOptions } from './db-store.js';
export { ChatRoom, type Membership, type RoomSettings, type RoomListEntry } from './room.js';
export { ChatUser, type UserDetails, type SendOptions, type SendResult } from './user.js';
export {
  WordsService,
  VerifiedAccount,
  createWordsService,
  REGAINED,
  type WordsServiceOptions,
  type LoginOptions,
  type RequestOrigin,
  type WordsLimits,
  type OperatorAccount,
} from './service.js';
export { WordsAccountChecker } from './cred-checker.js';
export { WordsRealm, IWordsAccount, IChatUser, type WordsMind } from './cred-realm.js';
export { addressKey, type LoginThrottleOptions, type RegistrationLimitOptions } from './throttle.js';
