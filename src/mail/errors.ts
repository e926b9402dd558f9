/**
 * Errors of the mail layer, each with a stable `code`.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/**
 * A refusal that becomes an SMTP reply: `validateFrom`/`validateTo` fail with one to choose the reply
 * (Twisted's `SMTPBadRcpt`, `SMTPBadSender`); the client fails with one when the server refuses.
 */
export class SMTPReplyError extends TorsionError {
  override readonly code: string = 'TORSION_MAIL_SMTP_REPLY';
  override name = 'SMTPReplyError';
  constructor(
    /** The three-digit reply code. */
    readonly replyCode: number,
    /** The enhanced status code (RFC 3463), `5.1.1`, or '' for none. */
    readonly enhanced: string,
    /** The human text. */
    readonly text: string,
  ) {
    super(`${replyCode}${enhanced ? ` ${enhanced}` : ''} ${text}`);
  }

  /** True for a 4xx reply: trying again later may work. */
  get isTransient(): boolean {
    return this.replyCode >= 400 && this.replyCode < 500;
  }
}

/** The recipient does not exist here (550 5.1.1). */
export class SMTPBadRcpt extends SMTPReplyError {
  override readonly code = 'TORSION_MAIL_BAD_RCPT';
  override name = 'SMTPBadRcpt';
  constructor(address: string, text = 'No such user here') {
    super(550, '5.1.1', `<${address}>: ${text}`);
  }
}

/** The sender is refused (550 5.7.1 by default). */
export class SMTPBadSender extends SMTPReplyError {
  override readonly code = 'TORSION_MAIL_BAD_SENDER';
  override name = 'SMTPBadSender';
  constructor(address: string, text = 'Sender refused') {
    super(550, '5.7.1', `<${address}>: ${text}`);
  }
}

/** An authenticated client gave a sender address its login does not own (553 5.7.1). */
export class SenderLoginMismatch extends SMTPReplyError {
  override readonly code = 'TORSION_MAIL_SENDER_LOGIN_MISMATCH';
  override name = 'SenderLoginMismatch';
  constructor(address: string, login: string) {
    super(553, '5.7.1', `<${address}>: Sender address not owned by user ${login}`);
  }
}

/** Mail for another domain from a client that did not authenticate (550 5.7.1): no open relay. */
export class RelayDenied extends SMTPReplyError {
  override readonly code = 'TORSION_MAIL_RELAY_DENIED';
  override name = 'RelayDenied';
  constructor(address: string) {
    super(550, '5.7.1', `<${address}>: Relaying denied; authenticate first`);
  }
}

/** An address that is not a valid RFC 5321 path. */
export class AddressError extends TorsionError {
  override readonly code = 'TORSION_MAIL_ADDRESS';
  override name = 'AddressError';
}

/** The client needed TLS (`requireTransportSecurity`) and the server offered none, or TLS failed. */
export class TLSRequiredError extends TorsionError {
  override readonly code = 'TORSION_MAIL_TLS_REQUIRED';
  override name = 'TLSRequiredError';
}

/** A POP3 server answered `-ERR`. */
export class POP3Error extends TorsionError {
  override readonly code = 'TORSION_MAIL_POP3_ERR';
  override name = 'POP3Error';
}

/** A peer's reply broke the protocol (too long, malformed) or the connection ended mid-reply. */
export class MailProtocolError extends TorsionError {
  override readonly code = 'TORSION_MAIL_PROTOCOL';
  override name = 'MailProtocolError';
}

/** No message with that number or id in the mailbox. */
export class NoSuchMessage extends TorsionError {
  override readonly code = 'TORSION_MAIL_NO_SUCH_MESSAGE';
  override name = 'NoSuchMessage';
}

/**
 * An IMAP command that breaks the grammar or a limit. `tag` is the command's tag when it could be read
 * (the answer is then `tag BAD ...`), else '' (answered `* BAD ...`).
 */
export class IMAPParseError extends TorsionError {
  override readonly code: string = 'TORSION_IMAP_PARSE';
  override name = 'IMAPParseError';
  constructor(
    message: string,
    /** The tag of the refused command, or ''. */
    readonly tag = '',
  ) {
    super(message);
  }
}

/** An IMAP command passed a limit of `IMAPLimits` (too long, too deep, literal too big). */
export class IMAPLimitError extends IMAPParseError {
  override readonly code = 'TORSION_IMAP_LIMIT';
  override name = 'IMAPLimitError';
}

/** An IMAP server answered a tagged command `NO` or `BAD`. */
export class IMAPCommandError extends TorsionError {
  override readonly code = 'TORSION_IMAP_COMMAND';
  override name = 'IMAPCommandError';
  constructor(
    /** `NO` or `BAD`. */
    readonly status: string,
    /** The human text (with its response code, if any). */
    readonly text: string,
  ) {
    super(`${status} ${text}`);
  }
}

/**
 * An IMAP mailbox operation refused (the server answers `NO [code] text`): no such mailbox, already there,
 * a limit reached, or a name it cannot keep.
 */
export class IMAPMailboxError extends TorsionError {
  override readonly code: string = 'TORSION_IMAP_MAILBOX';
  override name = 'IMAPMailboxError';
  constructor(
    /** The RFC 5530 response code: `NONEXISTENT`, `ALREADYEXISTS`, `TRYCREATE`, `LIMIT`, `CANNOT`. */
    readonly responseCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** An IMAP command the server refuses for this session (answered `tag NO text`): read-only, not possible. */
export class IMAPRefusedError extends TorsionError {
  override readonly code = 'TORSION_IMAP_REFUSED';
  override name = 'IMAPRefusedError';
}

/** A mailbox name the IMAP server refuses: not modified UTF-7, `..` or an empty level, too long or too deep. */
export class IMAPMailboxNameError extends IMAPMailboxError {
  override readonly code = 'TORSION_IMAP_MAILBOX_NAME';
  override name = 'IMAPMailboxNameError';
  constructor(message: string) {
    super('CANNOT', message);
  }
}
