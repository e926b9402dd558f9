/**
 * `torsion/mail`: SMTP, POP3 and IMAP servers and clients on maildirs (Twisted Mail). Every front door logs
 * in through the same `IMailAccount`.
 * @module
 */
export type { IMailbox, MessageInfo, MailAccount, IMessage, IMessageDelivery, SMTPSession, SMTPRecipient, IMXResolver, MXRecord } from './interfaces.js';
export { Address, parsePathArgument, type PathArgument } from './address.js';
export { SMTPReplyError, SMTPBadRcpt, SMTPBadSender, RelayDenied, AddressError, TLSRequiredError, POP3Error, MailProtocolError, NoSuchMessage, IMAPParseError, IMAPLimitError, IMAPCommandError, IMAPMailboxError, IMAPMailboxNameError } from './errors.js';
export { SMTP_LIMITS, POP3_LIMITS, MAIL_CLIENT_LIMITS, QUEUE_LIMITS, IMAP_LIMITS, IMAP_CLIENT_LIMITS, type SMTPLimits, type POP3Limits, type MailClientLimits, type QueueLimits, type IMAPLimits, type IMAPClientLimits } from './limits.js';
export { IMailAccount, encodePlain } from './account.js';
export { Maildir, MaildirMailbox, pop3Uid, type MaildirEntry, type MaildirOptions } from './maildir/index.js';
export { MailDomain, BufferedMessage, type MailDomainOptions, type IRelayQueue } from './domain.js';
export { ESMTPServer, SMTPFactory, type SMTPServerOptions } from './smtp/server.js';
export { SMTPServerCodec, type SMTPServerEvent } from './smtp/server-codec.js';
export { ESMTPClient, type SendResult, type SMTPClientOptions } from './smtp/client.js';
export { sendmail, type SendmailOptions } from './smtp/sendmail.js';
export { OutgoingQueue, type OutgoingQueueOptions, type QueueEntry, type RelaySender } from './smtp/queue.js';
export { DNSMXResolver, NodeMXResolver, NoMailHost } from './smtp/resolver.js';
export { bounceMessage, type BounceInfo, type FailedRecipient } from './smtp/dsn.js';
export { receivedHeader, rfc5322Date } from './smtp/received.js';
export { POP3Server, POP3Factory, type POP3ServerOptions } from './pop3/server.js';
export { APOPChecker, APOPCredentials, IAPOP, apopDigest } from './pop3/apop.js';
export { LineReader, dotStuff, normalizeLineEnds } from './lines.js';
export { POP3Client, type POP3ClientOptions } from './pop3/client.js';
export { IMAP4Server, type IMAPServerOptions } from './imap/server.js';
export { IMAP4Factory } from './imap/factory.js';
export { IMAP4Client, type IMAPClientOptions, type IMAPResult, type FetchedMessage, type SelectedMailbox, type ListedMailbox } from './imap/client.js';
export { IMAPCommandReader, type IMAPReaderEvent } from './imap/framer.js';
export { IMAPResponseReader, responseValues, type IMAPResponse } from './imap/response-reader.js';
export { IMAPFolder, UID_INDEX_FILE, KEYWORDS_FILE, MAX_KEYWORDS, type IMAPMessage } from './imap/folder.js';
export { MailboxTree, SUBSCRIPTIONS_FILE, type MailboxListing, type MailboxTreeLimits } from './imap/mailboxes.js';
export { encodeMailboxName, decodeMailboxName } from './imap/mutf7.js';
export { parseMailboxName, folderOf, matchesPattern } from './imap/mailbox-names.js';
export { decodeEncodedWords } from './encoded-words.js';
export { parseFetchAttribute, parseFetchItems, type FetchAttribute, type BodySection } from './imap/fetch-att.js';
export { parseSequenceSet, inSequenceSet, formatSequenceSet, STAR, type SequenceRange } from './imap/sequence.js';
export { valueText, quoteString, type IMAPValue, type IMAPCommand } from './imap/values.js';
