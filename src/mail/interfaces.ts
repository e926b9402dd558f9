/**
 * The roles of `torsion/mail`. Type-only.
 *
 * A POP3 session (and, later, IMAP) reads an {@link IMailbox}; the SMTP server asks an
 * {@link IMessageDelivery} (Twisted's `smtp.IMessageDelivery`) whether a sender and each recipient are
 * welcome and gets an {@link IMessage} per recipient to stream the message into.
 * @module
 */
import type { Deferrable, Deferred } from '../defer/index.js';
import type { Address } from './address.js';

/** One message of a mailbox as a POP3 (or IMAP) session lists it. */
export interface MessageInfo {
  /** The message's unique id, stable for its life (POP3 `UIDL`: 1 to 70 characters 0x21..0x7E). */
  readonly uid: string;
  /** Its size in bytes as sent on the wire, lines ending in CRLF. */
  readonly size: number;
}

/**
 * A mailbox as a reading session sees it (Twisted's `pop3.IMailbox`): a snapshot of its messages taken when
 * the session opened, numbered from 0 here (POP3 numbers from 1). Deletions are only marked until
 * `sync()`, so a session that ends without `QUIT` deletes nothing. IMAP extends this with flags and folders.
 */
export interface IMailbox {
  /** The messages of the snapshot, deleted ones included (check `isDeleted`). */
  listMessages(): readonly MessageInfo[];
  /** The message's bytes with CRLF line ends; fails with `NoSuchMessage`. */
  getMessage(index: number): Deferred<Uint8Array>;
  /** Marks the message deleted; nothing leaves the disk before `sync()`. */
  deleteMessage(index: number): void;
  /** True if the message is marked deleted in this session. */
  isDeleted(index: number): boolean;
  /** Unmarks every message (POP3 `RSET`). */
  undeleteMessages(): void;
  /** Applies the marked deletions. */
  sync(): Deferred<void>;
}

/** A logged-in mail user, the avatar `IMailAccount` stands for: who it is, and its mailbox. */
export interface MailAccount {
  readonly username: string;
  /** Opens a reading session on the user's mailbox (a fresh snapshot each time). */
  openMailbox(): Deferred<IMailbox>;
}

/** What the SMTP server knows of the client when it asks its delivery about an address. */
export interface SMTPSession {
  /** The name the client gave in `HELO`/`EHLO`. */
  readonly helo: string;
  /** The client's IP address. */
  readonly peerHost: string;
  /** Who the client authenticated as (`AUTH`), or null. */
  readonly authenticated: string | null;
  /** True once TLS protects the connection. */
  readonly secure: boolean;
}

/** A recipient being validated (Twisted's `smtp.User`). */
export interface SMTPRecipient {
  /** The address in `RCPT TO`. */
  readonly dest: Address;
  /** The sender of the message (null for `<>`). */
  readonly origin: Address | null;
  readonly session: SMTPSession;
}

/**
 * One copy of a message on its way to one recipient (Twisted's `smtp.IMessage`): the text arrives in
 * chunks (CRLF line ends, dot-stuffing removed, the `Received:` header first), then `eomReceived`, whose
 * Deferred fires once the copy is safe (on disk), or `connectionLost` if the message was abandoned.
 */
export interface IMessage {
  /** The next piece of the text: a view into received data, valid only during the call. */
  write(chunk: Uint8Array): void;
  eomReceived(): Deferrable<void>;
  connectionLost(): void;
}

/**
 * Decides who may send and receive (Twisted's `smtp.IMessageDelivery`). Fail with an `SMTPReplyError`
 * (`SMTPBadRcpt`, `SMTPBadSender`, `RelayDenied`) to choose the reply; any other failure answers 451.
 */
export interface IMessageDelivery {
  /** The sender is welcome: fire with it (null for `<>`). */
  validateFrom(session: SMTPSession, origin: Address | null): Deferrable<Address | null>;
  /** The recipient is welcome: fire with a factory of the message copy for it. */
  validateTo(recipient: SMTPRecipient): Deferrable<() => IMessage>;
  /** The `Received:` header line (without CRLF) to put before the message; a standard one if left out. */
  receivedHeader?(session: SMTPSession, origin: Address | null, recipients: readonly Address[]): string;
}

/** An MX host to try, lowest preference first. */
export interface MXRecord {
  exchange: string;
  priority: number;
}

/**
 * Finds where mail for a domain goes: the seam through which `torsion/dns` will replace Node's resolver.
 */
export interface IMXResolver {
  /** The domain's MX hosts, lowest preference first; the domain itself when it has none (RFC 5321 §5.1). */
  lookupMX(domain: string): Deferred<MXRecord[]>;
}
