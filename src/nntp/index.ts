/**
 * `torsion/nntp`: Usenet news (RFC 3977, with RFC 4642 STARTTLS, RFC 4643 AUTHINFO USER/PASS and RFC 5536
 * articles): a sans-I/O codec, a server over an {@link INewsStorage} (in memory, or SQLite through
 * `torsion/db`), and a client with a Deferred per command and an IHAVE feeder.
 * @module
 */
export type { GroupInfo, INewsStorage, StoredArticle } from './interfaces.js';
export { DEFAULT_NNTP_LIMITS, resolveNNTPLimits, type NNTPLimits } from './limits.js';
export {
  NNTPArticleError,
  NNTPArticleTooLargeError,
  NNTPConnectionLostError,
  NNTPDuplicateArticleError,
  NNTPLineTooLongError,
  NNTPNoSuchGroupError,
  NNTPReplyError,
  NNTPSyntaxError,
} from './errors.js';
export {
  LineSplitter,
  articleLines,
  dotStuff,
  dotUnstuff,
  encodeBlock,
  formatCommand,
  formatDateTime,
  isMessageId,
  parseCommand,
  parseDateTime,
  parseRange,
  parseStatusLine,
  utf8Text,
  wildmatMatch,
  wireText,
  type NNTPCommand,
  type StatusLine,
} from './codec.js';
export {
  OVERVIEW_FORMAT,
  formatOverview,
  headerValue,
  isNewsgroupName,
  newsgroupsOf,
  overviewOf,
  parseArticle,
  parseOverview,
  preparePost,
  serializeArticle,
  type Article,
  type Overview,
  type PostContext,
} from './article.js';
export { MemoryNewsStorage } from './memory-storage.js';
export { DbNewsStorage, type DbNewsStorageOptions } from './db-storage.js';
export { NNTPServerFactory, type NNTPServerOptions } from './server/factory.js';
export { NNTPServerProtocol } from './server/protocol.js';
export { INewsReader, NewsRealm, type NewsReader } from './server/realm.js';
export { NNTPClient, type NNTPClientOptions, type NNTPResponse, type GroupStatus, type FetchedArticle, type ActiveGroup } from './client/client.js';
export { feedArticles, type FeedResult } from './client/feeder.js';
