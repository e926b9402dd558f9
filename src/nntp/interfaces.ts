/**
 * The roles of `torsion/nntp` (Twisted's `INewsStorage`). Type-only.
 * @module
 */
import type { Article, Overview } from './article.js';

/** A newsgroup as LIST ACTIVE and GROUP describe it. */
export interface GroupInfo {
  name: string;
  /** The lowest article number held (high + 1 when empty, RFC 3977 §6.1.1.2). */
  low: number;
  /** The highest article number ever given (0 when none). */
  high: number;
  /** How many articles are held. */
  count: number;
  /** `y` posting allowed, `n` not, `m` moderated. */
  posting: 'y' | 'n' | 'm';
  /** One line for LIST NEWSGROUPS. */
  description: string;
  /** When the group was made, seconds since the epoch (NEWGROUPS). */
  created: number;
}

/** An article as the store holds it. */
export interface StoredArticle {
  messageId: string;
  /** The article, CRLF line ends, a Latin-1 wire string. */
  text: string;
  /** When it arrived, seconds since the epoch (NEWNEWS). */
  arrived: number;
  /** Where it is filed: group name to article number. */
  numbers: Record<string, number>;
}

/**
 * Where a news server keeps groups and articles. Every method may answer at once or later; a failure is a
 * rejected promise. Article numbers never change once given, and a number is never given twice in a
 * group, not even after a restart.
 */
export interface INewsStorage {
  /** Every group, sorted by name. */
  listGroups(): Promise<GroupInfo[]>;
  /** One group, or undefined. */
  getGroup(name: string): Promise<GroupInfo | undefined>;
  /** Makes a group unless it exists; returns it either way. */
  createGroup(name: string, options?: { description?: string; posting?: 'y' | 'n' | 'm'; created?: number }): Promise<GroupInfo>;
  /** The article numbers held in `group` within `low..high`, ascending. */
  articleNumbers(group: string, low: number, high: number): Promise<number[]>;
  /** The article filed as `number` in `group`, or undefined. */
  articleByNumber(group: string, number: number): Promise<StoredArticle | undefined>;
  /** The article with this Message-ID, or undefined. */
  articleByMessageId(messageId: string): Promise<StoredArticle | undefined>;
  /** The overview of the articles of `group` within `low..high`, ascending by number. */
  overview(group: string, low: number, high: number): Promise<Array<Overview & { number: number }>>;
  /**
   * Optional: the OVER lines (number, then the fields, TAB-separated) of `low..high`, for a store that
   * keeps them ready; the server then sends them as they are instead of formatting {@link overview}'s.
   */
  overviewLines?(group: string, low: number, high: number): Promise<string[]>;
  /**
   * Files an article in those of its newsgroups that exist, giving it the next number in each. Fails with
   * `NNTPDuplicateArticleError` if its Message-ID is known, `NNTPNoSuchGroupError` if no group exists.
   */
  storeArticle(article: Article, text: string, arrived: number): Promise<StoredArticle>;
  /** Message-IDs of articles arrived at or after `since` in groups matching `wildmat`. */
  newNews(wildmat: string, since: number): Promise<string[]>;
  /** Releases what the store holds open. */
  close(): Promise<void>;
}
