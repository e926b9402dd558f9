/**
 * The table of server commands by verb.
 * @module
 */
import type { NNTPServerProtocol } from './protocol.js';
import { articleCommand, groupCommand, hdrCommand, listCommand, listGroupCommand, newGroupsCommand, newNewsCommand, nextLastCommand, overCommand } from './reader-commands.js';
import {
  articleOffered,
  articlePosted,
  authInfoCommand,
  capabilitiesCommand,
  dateCommand,
  helpCommand,
  iHaveCommand,
  modeCommand,
  postCommand,
  quitCommand,
  startTLSCommand,
  type ReceivedArticle,
} from './session-commands.js';

/** A command's handler: answers on the connection, now or once the promise settles. */
export type CommandHandler = (s: NNTPServerProtocol, args: string[]) => void | Promise<void>;

const TABLE = new Map<string, CommandHandler>([
  ['CAPABILITIES', capabilitiesCommand],
  ['MODE', modeCommand],
  ['DATE', dateCommand],
  ['HELP', helpCommand],
  ['QUIT', quitCommand],
  ['AUTHINFO', authInfoCommand],
  ['STARTTLS', startTLSCommand],
  ['POST', postCommand],
  ['IHAVE', iHaveCommand],
  ['GROUP', groupCommand],
  ['LISTGROUP', listGroupCommand],
  ['ARTICLE', (s, a) => articleCommand(s, 'ARTICLE', a)],
  ['HEAD', (s, a) => articleCommand(s, 'HEAD', a)],
  ['BODY', (s, a) => articleCommand(s, 'BODY', a)],
  ['STAT', (s, a) => articleCommand(s, 'STAT', a)],
  ['NEXT', (s, a) => nextLastCommand(s, 'NEXT', a)],
  ['LAST', (s, a) => nextLastCommand(s, 'LAST', a)],
  ['OVER', overCommand],
  ['XOVER', overCommand],
  ['HDR', (s, a) => hdrCommand(s, 'HDR', a)],
  ['XHDR', (s, a) => hdrCommand(s, 'XHDR', a)],
  ['LIST', listCommand],
  ['NEWGROUPS', newGroupsCommand],
  ['NEWNEWS', newNewsCommand],
]);

/** The handlers: `get(verb)` for commands, and the two that finish an article's reception. */
export const COMMANDS = {
  get: (verb: string): CommandHandler | undefined => TABLE.get(verb),
  articlePosted: (s: NNTPServerProtocol, r: ReceivedArticle): Promise<void> => articlePosted(s, r),
  articleOffered: (s: NNTPServerProtocol, r: ReceivedArticle): Promise<void> => articleOffered(s, r),
};
