/**
 * A session's view of its selected mailbox: which UID each sequence number names, and what the client was
 * last told, so the changes other sessions made can be reported as untagged EXPUNGE, EXISTS and FETCH.
 * @module
 */
import { IMAPParseError } from '../errors.js';
import { flagList } from './fetch-response.js';
import type { IMAPFolder, IMAPMessage } from './folder.js';
import { inSequenceSet, parseSequenceSet } from './sequence.js';
import { valueText, type IMAPValue } from './values.js';

/** What a session has turned on (RFC 5161 ENABLE, or a first use of the extension). */
export interface SessionModes {
  /** RFC 7162: untagged FETCH answers carry MODSEQ, SELECT answers HIGHESTMODSEQ. */
  condstore: boolean;
}

/** The selected mailbox of one session. */
export interface Selected {
  folder: IMAPFolder;
  readOnly: boolean;
  /** The session's modes (the same object for every selection of the session). */
  modes: SessionModes;
  /** The session's view: sequence number - 1 to UID. */
  uids: number[];
  /** The flags last told, by UID, to notice other sessions' changes. */
  told: Map<number, string>;
  /** The folder's version when the client was last told everything (-1: an EXPUNGE is still to tell). */
  toldVersion: number;
}

/** A selection of `folder` as it is now (after a refresh that returned `messages`). */
export function selectFolder(folder: IMAPFolder, messages: readonly IMAPMessage[], readOnly: boolean, modes: SessionModes): Selected {
  return { folder, readOnly, modes, uids: messages.map((m) => m.uid), told: new Map(messages.map((m) => [m.uid, flagList(m.flags)])), toldVersion: folder.version };
}

/** A picked message with its sequence number in the session's view. */
export interface Picked {
  seq: number;
  message: IMAPMessage;
}

/** The messages named by a sequence set (or UID set) in the session's view, with their sequence numbers. */
export function pickMessages(s: Selected, value: IMAPValue | undefined, byUid: boolean, tag: string): Picked[] {
  const text = valueText(value);
  if (value?.type !== 'atom' || text === undefined) throw new IMAPParseError('sequence set expected', tag);
  const set = parseSequenceSet(text, tag);
  const maxUid = s.uids[s.uids.length - 1] ?? 0;
  const out: Picked[] = [];
  // Both the view and the folder's messages are in ascending UID order (a view only ever gains higher UIDs),
  // so one walk through both pairs them up: no map of 10,000 messages per FETCH.
  const messages = s.folder.messages;
  let j = 0;
  for (let i = 0; i < s.uids.length; i++) {
    const uid = s.uids[i]!;
    while (j < messages.length && messages[j]!.uid < uid) j++;
    const m = messages[j];
    if (m === undefined || m.uid !== uid) continue;
    if (byUid ? inSequenceSet(set, uid, maxUid) : inSequenceSet(set, i + 1, s.uids.length)) out.push({ seq: i + 1, message: m });
  }
  return out;
}

/**
 * The untagged lines telling what changed in `s` since the client was last told, and the view brought up
 * to date. EXPUNGE is left out when `sendExpunges` is false (RFC 3501 §7.4.1: not during FETCH, STORE, SEARCH).
 */
export function untaggedChanges(s: Selected, sendExpunges: boolean): string[] {
  // Nothing changed since the last full look: skip comparing every message (10,000 in a big mailbox).
  if (s.toldVersion === s.folder.version) return [];
  const version = s.folder.version;
  let expungePending = false;
  const lines: string[] = [];
  const now = new Map(s.folder.messages.map((m) => [m.uid, m]));
  if (sendExpunges) {
    for (let i = s.uids.length - 1; i >= 0; i--) {
      if (!now.has(s.uids[i]!)) {
        lines.push(`* ${i + 1} EXPUNGE\r\n`);
        s.told.delete(s.uids[i]!);
        s.uids.splice(i, 1);
      }
    }
  }
  const known = new Set(s.uids);
  const added = s.folder.messages.filter((m) => !known.has(m.uid) && m.uid > (s.uids[s.uids.length - 1] ?? 0));
  if (added.length > 0) {
    for (const m of added) {
      s.uids.push(m.uid);
      s.told.set(m.uid, flagList(m.flags));
    }
    lines.push(`* ${s.uids.length} EXISTS\r\n`);
  }
  s.uids.forEach((uid, i) => {
    const m = now.get(uid);
    if (m === undefined) {
      expungePending = true;
      return;
    }
    const flags = flagList(m.flags);
    if (s.told.get(uid) !== flags) {
      s.told.set(uid, flags);
      lines.push(`* ${i + 1} FETCH (UID ${uid}${s.modes.condstore ? ` MODSEQ (${m.modseq})` : ''} FLAGS ${flags})\r\n`);
    }
  });
  s.toldVersion = expungePending ? -1 : version;
  return lines;
}
