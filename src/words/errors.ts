/**
 * Errors of `torsion/words`, each with a stable `code` so front doors can map them to their own replies
 * (IRC numerics, web messages) without matching on text.
 * @module
 */
import { NICK_RULE } from './names.js';

/** The base of every chat-service refusal. */
export class WordsError extends Error {
  override name = 'WordsError';
  constructor(
    readonly code: string,
    message: string,
    /** The nick or room the refusal is about. */
    readonly target?: string,
  ) {
    super(message);
  }
}

function kind(code: string, defaultMessage: string) {
  return class extends WordsError {
    static readonly code = code;
    constructor(target?: string, message = defaultMessage) {
      super(code, message, target);
      this.name = code;
    }
  };
}

/** The nick breaks the nick rules (characters, length); the message says the rule. */
export class InvalidNickError extends kind('InvalidNick', `Erroneous nickname: ${NICK_RULE}`) {}
/** Someone else is using the nick right now. */
export class NickInUseError extends kind('NickInUse', 'Nickname is already in use') {}
/** The nick is registered and no (or a wrong) password was given. */
export class AuthenticationError extends kind('Authentication', 'Password incorrect') {}
/** The account already exists. */
export class AccountExistsError extends kind('AccountExists', 'Account already exists') {}
/** The room name breaks the room rules. */
export class InvalidRoomError extends kind('InvalidRoom', 'No such channel') {}
/** No such room (nobody is in it). */
export class NoSuchRoomError extends kind('NoSuchRoom', 'No such channel') {}
/** No one by that nick is online. */
export class NoSuchUserError extends kind('NoSuchUser', 'No such nick/channel') {}
/** The user is not in the room. */
export class NotInRoomError extends kind('NotInRoom', "You're not on that channel") {}
/** The target user is not in the room. */
export class UserNotInRoomError extends kind('UserNotInRoom', "They aren't on that channel") {}
/** The user is already in the room (INVITE). */
export class AlreadyInRoomError extends kind('AlreadyInRoom', 'is already on channel') {}
/** Only room operators may do that. */
export class NotOperatorError extends kind('NotOperator', "You're not channel operator") {}
/** The message may not be sent to the room (+n from outside, +m without voice). */
export class CannotSendError extends kind('CannotSend', 'Cannot send to channel') {}
/** The room is full (+l). */
export class RoomFullError extends kind('RoomFull', 'Cannot join channel (+l)') {}
/** The room is invite-only (+i) and the user was not invited. */
export class InviteOnlyError extends kind('InviteOnly', 'Cannot join channel (+i)') {}
/** The room has a key (+k) and it was not given. */
export class BadKeyError extends kind('BadKey', 'Cannot join channel (+k)') {}
/** The user is in too many rooms. */
export class TooManyRoomsError extends kind('TooManyRooms', 'You have joined too many channels') {}
/** The message is empty. */
export class NoTextError extends kind('NoText', 'No text to send') {}
/** The session has ended. */
export class LoggedOutError extends kind('LoggedOut', 'Not logged in') {}

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
  static readonly code = 'TORSION_WORDS_TOO_MANY_ATTEMPTS';
  constructor(
    target: string | undefined,
    /** Seconds until a password check may be made again. */
    readonly retryAfter: number,
  ) {
    super(TooManyAttemptsError.code, `Too many failed logins: try again in ${waitText(retryAfter)}`, target);
    this.name = TooManyAttemptsError.code;
  }
}

/**
 * Too many accounts registered from this connection, or from this address in the registration window.
 * `retryAfter` (seconds) is set when waiting helps (the address's window), unset for the connection's limit.
 */
export class TooManyRegistrationsError extends WordsError {
  static readonly code = 'TORSION_WORDS_TOO_MANY_REGISTRATIONS';
  constructor(
    target: string | undefined,
    readonly retryAfter?: number,
  ) {
    super(
      TooManyRegistrationsError.code,
      retryAfter === undefined
        ? 'Too many accounts registered from this connection'
        : `Too many accounts registered from your address: try again in ${waitText(retryAfter)}`,
      target,
    );
    this.name = TooManyRegistrationsError.code;
  }
}
