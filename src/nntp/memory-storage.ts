/**
 * A news store in memory: for tests, examples, and servers whose articles need not survive a restart.
 * @module
 */
import { headerValue, newsgroupsOf, overviewOf, type Article, type Overview } from './article.js';
import { wildmatMatch } from './codec.js';
import { NNTPDuplicateArticleError, NNTPNoSuchGroupError } from './errors.js';
import type { GroupInfo, INewsStorage, StoredArticle } from './interfaces.js';

interface MemoryGroup {
  info: Omit<GroupInfo, 'low' | 'count'>;
  /** Ascending article numbers. */
  numbers: number[];
  byNumber: Map<number, StoredArticle>;
  overviews: Map<number, Overview>;
}

function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * {@link INewsStorage} in memory.
 *
 * @example
 * const store = new MemoryNewsStorage();
 * await store.createGroup('local.test', { description: 'Testing' });
 */
export class MemoryNewsStorage implements INewsStorage {
  readonly #groups = new Map<string, MemoryGroup>();
  readonly #byId = new Map<string, StoredArticle>();

  #info(g: MemoryGroup): GroupInfo {
    const count = g.numbers.length;
    return { ...g.info, count, low: count === 0 ? g.info.high + 1 : g.numbers[0]! };
  }

  listGroups(): Promise<GroupInfo[]> {
    return Promise.resolve([...this.#groups.values()].map((g) => this.#info(g)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }

  getGroup(name: string): Promise<GroupInfo | undefined> {
    const g = this.#groups.get(name);
    return Promise.resolve(g === undefined ? undefined : this.#info(g));
  }

  createGroup(name: string, options: { description?: string; posting?: 'y' | 'n' | 'm'; created?: number } = {}): Promise<GroupInfo> {
    let g = this.#groups.get(name);
    if (g === undefined) {
      g = { info: { name, high: 0, posting: options.posting ?? 'y', description: options.description ?? '', created: options.created ?? 0 }, numbers: [], byNumber: new Map(), overviews: new Map() };
      this.#groups.set(name, g);
    }
    return Promise.resolve(this.#info(g));
  }

  articleNumbers(group: string, low: number, high: number): Promise<number[]> {
    const g = this.#groups.get(group);
    if (g === undefined) return Promise.resolve([]);
    const out: number[] = [];
    for (let i = lowerBound(g.numbers, low); i < g.numbers.length && g.numbers[i]! <= high; i++) out.push(g.numbers[i]!);
    return Promise.resolve(out);
  }

  articleByNumber(group: string, number: number): Promise<StoredArticle | undefined> {
    return Promise.resolve(this.#groups.get(group)?.byNumber.get(number));
  }

  articleByMessageId(messageId: string): Promise<StoredArticle | undefined> {
    return Promise.resolve(this.#byId.get(messageId));
  }

  overview(group: string, low: number, high: number): Promise<Array<Overview & { number: number }>> {
    const g = this.#groups.get(group);
    if (g === undefined) return Promise.resolve([]);
    const out: Array<Overview & { number: number }> = [];
    for (let i = lowerBound(g.numbers, low); i < g.numbers.length && g.numbers[i]! <= high; i++) {
      const n = g.numbers[i]!;
      out.push({ number: n, ...g.overviews.get(n)! });
    }
    return Promise.resolve(out);
  }

  storeArticle(article: Article, text: string, arrived: number): Promise<StoredArticle> {
    const messageId = headerValue(article, 'Message-ID') ?? '';
    if (this.#byId.has(messageId)) return Promise.reject(new NNTPDuplicateArticleError(`${messageId} is already here`));
    const groups = [...new Set(newsgroupsOf(headerValue(article, 'Newsgroups') ?? ''))].filter((n) => this.#groups.has(n));
    if (groups.length === 0) return Promise.reject(new NNTPNoSuchGroupError('none of the article\'s newsgroups is carried here'));
    const stored: StoredArticle = { messageId, text, arrived, numbers: {} };
    const overview = overviewOf(text, article);
    for (const name of groups) {
      const g = this.#groups.get(name)!;
      const n = ++g.info.high;
      g.numbers.push(n);
      g.byNumber.set(n, stored);
      g.overviews.set(n, overview);
      stored.numbers[name] = n;
    }
    this.#byId.set(messageId, stored);
    return Promise.resolve(stored);
  }

  newNews(wildmat: string, since: number): Promise<string[]> {
    const out: string[] = [];
    for (const a of this.#byId.values()) {
      if (a.arrived >= since && Object.keys(a.numbers).some((g) => wildmatMatch(wildmat, g))) out.push(a.messageId);
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
