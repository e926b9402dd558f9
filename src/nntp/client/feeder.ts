/**
 * Pushing articles to a peer with IHAVE (RFC 3977 §6.3.2), as a news server's outgoing feed does.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { headerValue, parseArticle } from '../article.js';
import { NNTPArticleError } from '../errors.js';
import type { NNTPClient } from './client.js';

/** What a feed run did. */
export interface FeedResult {
  /** Message-IDs the peer took (235). */
  accepted: string[];
  /** Message-IDs the peer already had or refused (435, 437). */
  refused: string[];
}

/**
 * Offers each article (a CRLF wire string with a Message-ID) to the peer in turn. A 436 (try later) or a
 * lost connection fails the run, with what was done so far lost only from the result, not from the peer.
 *
 * @example
 * const result = await feedArticles(client, articles);
 * console.log(`${result.accepted.length} sent, ${result.refused.length} refused`);
 */
export function feedArticles(client: NNTPClient, articles: Iterable<string>): Deferred<FeedResult> {
  return Deferred.fromPromise(
    (async () => {
      const result: FeedResult = { accepted: [], refused: [] };
      for (const text of articles) {
        const id = headerValue(parseArticle(text, client.limits), 'Message-ID');
        if (id === undefined) throw new NNTPArticleError('an article to feed has no Message-ID');
        const taken = await client.iHave(id, text);
        (taken ? result.accepted : result.refused).push(id);
      }
      return result;
    })(),
  );
}
