/**
 * Maildir storage: delivery, listing, reading, flags, deletion, and the `IMailbox` snapshot sessions read.
 * @module
 */
export { Maildir, type MaildirEntry, type MaildirOptions } from './maildir.js';
export { MaildirMailbox, pop3Uid } from './mailbox.js';
export { parseName, nameWithFlags, uniqueName, toDiskForm, toWireForm, wireLength, type MaildirFlag, type ParsedName } from './names.js';
