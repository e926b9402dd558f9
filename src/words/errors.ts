/**
 * Errors of `torsion/words`, on Torsion's one error base: each has a stable `code`
 * (`TORSION_WORDS_<WHAT>`) and a short `kind` (`InvalidNick`, `NickInUse`, ...) that front doors map to
 * their own replies (IRC numerics, web messages) without matching on text.
 * @module
 */
import { TorsionError } from '../errors/index.js';
import { NICK_RULE } from './names.js';
import type { RoomListName } from './interfaces.js';

/** The base of every chat-service refusal. */
export class WordsError extends TorsionError {
  override readonly code: string = 'TORSION_WORDS';
  override name = 'WordsError';
  /** The refusal's short name, the same for every front door (`InvalidNick`, `RoomFull`, ...). */
  readonly kind: string = 'Words';
  constructor(
    message: string,
    /** The nick or room the refusal is about. */
    readonly target?: string,
  ) {
    super(message);
  }
}

/** `TooManyRooms` as `TOO_MANY_ROOMS`. */
function snake(kind: string): string {
  return kind.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase();
}

/** A refusal class of kind `kind` (code `TORSION_WORDS_<KIND>`), with its default message. */
function refusal(kind: string, defaultMessage: string) {
  const code = `TORSION_WORDS_${snake(kind)}`;
  return class extends WordsError {
    static readonly kind = kind;
    static readonly code = code;
    override readonly code = code;
    override readonly kind = kind;
    override name = `${kind}Error`;
    constructor(target?: string, message = defaultMessage) {
      super(message, target);
    }
  };
}

/** The nick breaks the nick rules (characters, length); the message says the rule. */
export class InvalidNickError extends refusal('InvalidNick', `Erroneous nickname: ${NICK_RULE}`) {}
/** Someone else is using the nick right now. */
export class NickInUseError extends refusal('NickInUse', 'Nickname is already in use') {}
/** The nick is registered and no (or a wrong) password was given. */
export class AuthenticationError extends refusal('Authentication', 'Password incorrect') {}
/** The account already exists. */
export class AccountExistsError extends refusal('AccountExists', 'Account already exists') {}
/** The room name breaks the room rules. */
export class InvalidRoomError extends refusal('InvalidRoom', 'No such channel') {}
/** No such room (nobody is in it). */
export class NoSuchRoomError extends refusal('NoSuchRoom', 'No such channel') {}
/** No one by that nick is online. */
export class NoSuchUserError extends refusal('NoSuchUser', 'No such nick/channel') {}
/** The user is not in the room. */
export class NotInRoomError extends refusal('NotInRoom', "You're not on that channel") {}
/** The target user is not in the room. */
export class UserNotInRoomError extends refusal('UserNotInRoom', "They aren't on that channel") {}
/** The user is already in the room (INVITE). */
export class AlreadyInRoomError extends refusal('AlreadyInRoom', 'is already on channel') {}
/** Only room operators may do that. */
export class NotOperatorError extends refusal('NotOperator', "You're not channel operator") {}
/** The message may not be sent to the room (+n from outside, +m without voice). */
export class CannotSendError extends refusal('CannotSend', 'Cannot send to channel') {}
/** The room is full (+l). */
export class RoomFullError extends refusal('RoomFull', 'Cannot join channel (+l)') {}
/** The room is invite-only (+i) and the user was not invited. */
export class InviteOnlyError extends refusal('InviteOnly', 'Cannot join channel (+i)') {}
/** The user matches a ban of the room (+b) and no ban exception, and was not invited. */
export class BannedError extends refusal('Banned', 'Cannot join channel (+b)') {}
/** A room's list (bans, ban exceptions, invite exceptions) holds as many masks as it may. */
export class ListFullError extends refusal('ListFull', 'Channel list is full') {
  constructor(
    target: string | undefined,
    /** The list that is full. */
    readonly list: RoomListName,
  ) {
    super(target);
  }
}
/** Only server operators may do that (kill a session, announce to everyone). */
export class NoPrivilegesError extends refusal('NoPrivileges', "Permission Denied- You're not an IRC operator") {}
/** No server operator account of that name (told apart from a wrong password only after the hash is checked). */
export class NoOperatorAccountError extends refusal('NoOperatorAccount', 'No operator account of that name') {}
/** The room has a key (+k) and it was not given. */
export class BadKeyError extends refusal('BadKey', 'Cannot join channel (+k)') {}
/** The user is in too many rooms. */
export class TooManyRoomsError extends refusal('TooManyRooms', 'You have joined too many channels') {}
/** The message is empty. */
export class NoTextError extends refusal('NoText', 'No text to send') {}
/** The session has ended. */
export class LoggedOutError extends refusal('LoggedOut', 'Not logged in') {}

/** Whole seconds to wait, for messages ("1 second", "5 minutes"). */
function waitText(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 120) return `${s} second${s === 1 ? '' : 's'}`;
  return `${Math.ceil(s / 60)} minutes`;
}

/**
 * Too many failed password checks from this address, or on this account from addresses that failed
 * before: no check was made. `retryAfter` is in seconds.
 */
export class TooManyAttemptsError extends WordsError {
  override readonly code = 'TORSION_WORDS_TOO_MANY_ATTEMPTS';
  override readonly kind = 'TooManyAttempts';
  override name = 'TooManyAttemptsError';
  constructor(
    target: string | undefined,
    /** Seconds until a password check may be made again. */
    readonly retryAfter: number,
  ) {
    super(`Too many failed logins: try again in ${waitText(retryAfter)}`, target);
  }
}

/**
 * Too many accounts registered from this connection, or from this address in the registration window.
 * `retryAfter` (seconds) is set when waiting helps (the address's window), unset for the connection's limit.
 */
export class TooManyRegistrationsError extends WordsError {
  override readonly code = 'TORSION_WORDS_TOO_MANY_REGISTRATIONS';
  override readonly kind = 'TooManyRegistrations';
  override name = 'TooManyRegistrationsError';
  constructor(
    target: string | undefined,
    readonly retryAfter?: number,
  ) {
    super(
      retryAfter === undefined
        ? 'Too many accounts registered from this connection'
        : `Too many accounts registered from your address: try again in ${waitText(retryAfter)}`,
      target,
    );
  }
}
