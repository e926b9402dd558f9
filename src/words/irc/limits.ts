/**
 * Every limit of the IRC server, with its default, in one place: the options' defaults
 * (`IRC_SERVER_LIMITS`, each overridden by the option of the same name) and the fixed bounds of replies.
 * The protocol's own limits (line and tag bytes, the SASL payload, labels) are in `src/irc/limits.ts`; the
 * chat service's (list sizes, WHOWAS memory) in `src/words/limits.ts`.
 * @module
 */

/**
 * The defaults of the server's limits and timeouts (seconds), each the option of the same name. The
 * protocol's own limits (line and tag bytes, the SASL payload) are in `src/irc/limits.ts`.
 */
export const IRC_SERVER_LIMITS = {
  pingInterval: 120,
  pingTimeout: 60,
  registrationTimeout: 60,
  timeoutGranularity: 1,
  flood: { burst: 20, rate: 4, maxQueued: 100 },
  maxTargets: 4,
  historyLimit: 100,
  historyThrottle: { burst: 10, rate: 2, maxQueued: 50 },
  sendQ: 512 * 1024,
} as const;

/**
 * Most strings the server keeps one shared copy of (hosts, user names, real names that many clients repeat);
 * the table starts over when full, so it holds no more than this whatever clients send.
 */
export const MAX_INTERNED_STRINGS = 4096;
/** Most mode changes with an argument in one MODE command (ISUPPORT `MODES`); the rest of the command is ignored. */
export const MAX_MODE_ARGS = 4;
/** Most WHOWAS entries one reply lists, whatever count is asked for (a wildcard can match many nicks). */
export const MAX_WHOWAS_REPLIES = 20;
/**
 * Most distinct joined outputs one write batch keeps for reuse (see `IRCServerFactory.joinOutput` and
 * `OutputLog.bytes`): one per set of tags a room's members want, each at most one client's output of the
 * batch, dropped when it ends.
 */
export const MAX_JOINED_OUTPUTS = 4;
