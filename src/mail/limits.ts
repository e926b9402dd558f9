/**
 * Every limit a mail peer can push against, with its default, in one place: the SMTP server's, the POP3
 * server's, and the outgoing queue's. Durations in seconds, sizes in bytes.
 * @module
 */

/** The SMTP server's limits. */
export interface SMTPLimits {
  /** The longest command line, CRLF excluded (RFC 5321 §4.5.3.1.4 says 512 with CRLF; extensions make it longer). */
  maxCommandLength: number;
  /** The longest line of message text, CRLF excluded (RFC 5321 §4.5.3.1.6: 1000 with CRLF). Longer is refused with 500 5.5.2 at the end of DATA. */
  maxDataLineLength: number;
  /** The largest message accepted, advertised in `SIZE`; past it the message is refused with 552 5.3.4. */
  maxMessageSize: number;
  /** Recipients per message (RFC 5321 §4.5.3.1.8 asks for at least 100); past it 452 4.5.3. */
  maxRecipients: number;
  /** Error replies (4xx and 5xx) one connection may earn before it is closed with 421 4.7.0. */
  maxErrors: number;
  /** Seconds without a complete command (or, in DATA, without any data) before 421 4.4.2 and a close (RFC 5321 §4.5.3.2.7: 5 minutes). */
  commandTimeout: number;
  /** Failed AUTH attempts per connection before it is closed. */
  maxAuthFailures: number;
}

/** The SMTP server's defaults. */
export const SMTP_LIMITS: Readonly<SMTPLimits> = Object.freeze({
  maxCommandLength: 2048,
  maxDataLineLength: 998,
  maxMessageSize: 25 * 1024 * 1024,
  maxRecipients: 100,
  maxErrors: 10,
  commandTimeout: 300,
  maxAuthFailures: 3,
});

/** The POP3 server's limits. */
export interface POP3Limits {
  /** The longest command line, CRLF excluded (RFC 2449 §4: 255 octets with CRLF). */
  maxCommandLength: number;
  /** Error replies one connection may earn before it is closed. */
  maxErrors: number;
  /** Seconds without a command before the connection is closed (RFC 1939 §3: at least 10 minutes). */
  idleTimeout: number;
  /** Failed logins per connection before it is closed. */
  maxAuthFailures: number;
  /** The most messages a mailbox shows in one session (the rest wait for the next). */
  maxMessages: number;
}

/** The POP3 server's defaults. */
export const POP3_LIMITS: Readonly<POP3Limits> = Object.freeze({
  maxCommandLength: 1024,
  maxErrors: 10,
  idleTimeout: 600,
  maxAuthFailures: 3,
  maxMessages: 100_000,
});

/** The SMTP and POP3 clients' limits. */
export interface MailClientLimits {
  /** The longest reply line, CRLF excluded. */
  maxReplyLength: number;
  /** The most lines of one multi-line reply. */
  maxReplyLines: number;
  /** Seconds to wait for any reply before giving up. */
  timeout: number;
  /** The largest message a POP3 client retrieves (RETR, TOP). */
  maxMessageSize: number;
}

/** The clients' defaults. */
export const MAIL_CLIENT_LIMITS: Readonly<MailClientLimits> = Object.freeze({
  maxReplyLength: 4096,
  maxReplyLines: 1000,
  timeout: 300,
  maxMessageSize: 64 * 1024 * 1024,
});

/** The outgoing queue's limits. */
export interface QueueLimits {
  /** Seconds before the first retry; each later one waits `backoffFactor` times longer. */
  firstRetry: number;
  /** Each retry's wait is the previous one times this. */
  backoffFactor: number;
  /** The longest wait between two tries. */
  maxRetryInterval: number;
  /** Seconds after queueing when a message still undelivered is bounced to its sender (RFC 5321 §4.5.4.1: 4-5 days). */
  giveUpAfter: number;
  /** Messages delivered at once. */
  concurrency: number;
}

/** The queue's defaults. */
export const QUEUE_LIMITS: Readonly<QueueLimits> = Object.freeze({
  firstRetry: 60,
  backoffFactor: 2,
  maxRetryInterval: 3600,
  giveUpAfter: 4 * 24 * 3600,
  concurrency: 4,
});

/** The IMAP command parser's and server's limits. */
export interface IMAPLimits {
  /** The longest command line, literals excluded and CRLF excluded; longer is answered `BAD` and dropped. */
  maxCommandLength: number;
  /** The largest literal (`{N}` or `{N+}`); a larger synchronising literal is refused before its bytes are sent, a larger LITERAL+ one is swallowed and the command answered `BAD`. */
  maxLiteralSize: number;
  /** The largest total of all literals in one command (APPEND's message counts here). */
  maxCommandSize: number;
  /** The most literals one command may carry. */
  maxLiterals: number;
  /** The deepest nesting of parenthesised lists (and of bracketed sections). */
  maxNestingDepth: number;
  /** Seconds without a command before the server closes the connection (RFC 3501 §5.4: at least 30 minutes). */
  idleTimeout: number;
  /** Failed LOGIN/AUTHENTICATE attempts per connection before it is closed. */
  maxAuthFailures: number;
  /** `BAD` answers one connection may earn before it is closed. */
  maxErrors: number;
  /** The deepest MIME nesting FETCH looks into (BODYSTRUCTURE, `BODY[1.2.3]`); deeper parts count as leaves. */
  maxMimeDepth: number;
  /** The longest mailbox name in bytes (modified UTF-7, `/` included); its Maildir++ folder name must fit a file name (255 bytes). */
  maxMailboxNameLength: number;
  /** The most levels in a mailbox name (`a/b/c` is 3). */
  maxMailboxDepth: number;
  /** Mailboxes one account may have, INBOX included (and subscriptions it may keep); CREATE past it is answered `NO [LIMIT]`. */
  maxMailboxes: number;
  /** Header bytes kept in memory per selected mailbox (FETCH ENVELOPE and header SEARCHes then read no file twice); dropped when no session has it selected. */
  headerCacheSize: number;
}

/** The IMAP defaults. */
export const IMAP_LIMITS: Readonly<IMAPLimits> = Object.freeze({
  maxCommandLength: 8192,
  maxLiteralSize: 25 * 1024 * 1024,
  maxCommandSize: 26 * 1024 * 1024,
  maxLiterals: 32,
  maxNestingDepth: 16,
  idleTimeout: 1800,
  maxAuthFailures: 3,
  maxErrors: 20,
  maxMimeDepth: 16,
  maxMailboxNameLength: 200,
  maxMailboxDepth: 16,
  maxMailboxes: 1000,
  headerCacheSize: 16 * 1024 * 1024,
});

/** The IMAP client's limits. */
export interface IMAPClientLimits {
  /** The longest response line, literals excluded. */
  maxLineLength: number;
  /** The largest literal in a response (a whole message in `BODY[]`). */
  maxLiteralSize: number;
  /** The most untagged responses one command may gather (a huge `FETCH 1:*` is refused past this). */
  maxUntagged: number;
  /** Seconds to wait for any answer to a command before the connection counts as dead. */
  timeout: number;
  /** Seconds between keepalive NOOPs while IDLE (RFC 2177: re-issue IDLE well within 30 minutes). */
  keepaliveInterval: number;
}

/** The IMAP client's defaults. */
export const IMAP_CLIENT_LIMITS: Readonly<IMAPClientLimits> = Object.freeze({
  maxLineLength: 64 * 1024,
  maxLiteralSize: 64 * 1024 * 1024,
  maxUntagged: 100_000,
  timeout: 300,
  keepaliveInterval: 600,
});
