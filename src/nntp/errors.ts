/**
 * Errors of the NNTP layer, each with a stable `code`.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** A line longer than the limit (the unframed-flood attack): the connection cannot be resynchronised. */
export class NNTPLineTooLongError extends TorsionError {
  override readonly code = 'TORSION_NNTP_LINE_TOO_LONG';
  override name = 'NNTPLineTooLongError';
}

/** A command or response line that does not parse (no verb, a NUL byte, a status that is not three digits). */
export class NNTPSyntaxError extends TorsionError {
  override readonly code = 'TORSION_NNTP_SYNTAX';
  override name = 'NNTPSyntaxError';
}

/** An article is malformed (no header/body separator, a bad header line) or breaks a posting rule. */
export class NNTPArticleError extends TorsionError {
  override readonly code = 'TORSION_NNTP_ARTICLE';
  override name = 'NNTPArticleError';
}

/** An article, or its header section, is larger than the limits allow. */
export class NNTPArticleTooLargeError extends TorsionError {
  override readonly code = 'TORSION_NNTP_ARTICLE_TOO_LARGE';
  override name = 'NNTPArticleTooLargeError';
}

/** The store already holds an article with this Message-ID. */
export class NNTPDuplicateArticleError extends TorsionError {
  override readonly code = 'TORSION_NNTP_DUPLICATE';
  override name = 'NNTPDuplicateArticleError';
}

/** None of the article's newsgroups exists here. */
export class NNTPNoSuchGroupError extends TorsionError {
  override readonly code = 'TORSION_NNTP_NO_SUCH_GROUP';
  override name = 'NNTPNoSuchGroupError';
}

/** The server answered a command with an error status (4xx or 5xx), or an unexpected one. */
export class NNTPReplyError extends TorsionError {
  override readonly code = 'TORSION_NNTP_REPLY';
  override name = 'NNTPReplyError';
  constructor(
    /** The three-digit status, 0 if the connection ended first. */
    readonly status: number,
    /** The text after the status. */
    readonly text: string,
  ) {
    super(status === 0 ? text : `${status} ${text}`);
  }
}

/** The connection closed while a command was waiting for its response. */
export class NNTPConnectionLostError extends TorsionError {
  override readonly code = 'TORSION_NNTP_CONNECTION_LOST';
  override name = 'NNTPConnectionLostError';
}
