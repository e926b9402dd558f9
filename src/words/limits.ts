/**
 * Every limit of the chat service, with its default, in one place: the lengths of names and texts every
 * front door enforces, the service's and the stores' bounds, and the defences against password guessing
 * and registration floods. Each bound the service or a store takes as an option starts at the value named
 * here. The web chat's own limits are in `web/options.ts`, the IRC front door's in `irc/options.ts`.
 * @module
 */

/** Longest nick accepted (ISUPPORT `NICKLEN`). */
export const NICK_MAX_LENGTH = 30;
/** Longest room name accepted, prefix included (ISUPPORT `CHANNELLEN`). */
export const ROOM_MAX_LENGTH = 50;
/** Longest topic kept (ISUPPORT `TOPICLEN`). */
export const TOPIC_MAX_LENGTH = 390;
/** Longest part, kick or quit reason kept, in characters. */
export const REASON_MAX_LENGTH = 300;
/** Longest away message kept, in characters. */
export const AWAY_MAX_LENGTH = 390;
/** Longest real name kept (IRC's `USER` realname), in characters. */
export const REALNAME_MAX_LENGTH = 100;

/** Longest ban or exception mask kept (`nick!user@host` with wildcards), in characters. */
export const MASK_MAX_LENGTH = 200;
/** Longest text of an operator's announcement to everyone (IRC's WALLOPS), in characters. */
export const ANNOUNCEMENT_MAX_LENGTH = 400;

/** The defaults of the bounds the service and its stores take as options. Durations are in seconds. */
export const WORDS_LIMITS = {
  /** `WordsServiceOptions.maxRoomsPerUser`: rooms one user may be in at once (ISUPPORT `CHANLIMIT`). */
  maxRoomsPerUser: 50,
  /** `WordsServiceOptions.maxRoomListEntries`: masks each list of a room (bans, ban exceptions, invite exceptions) holds. */
  maxRoomListEntries: 100,
  /** `WordsServiceOptions.whowas`: departed nicks remembered, per nick and in all (IRC's WHOWAS). */
  whowas: {
    perNick: 10,
    maxEntries: 5000,
  },
  /** `WordsServiceOptions.maxStoredTagBytes`: bytes of client tags stored with a room line. */
  maxStoredTagBytes: 512,
  /** `WordsServiceOptions.login`: password guessing, per address and per account (`LoginThrottleOptions`). */
  login: {
    freeFailures: 3,
    baseDelay: 1,
    maxDelay: 300,
    forgetAfter: 900,
    maxTracked: 10_000,
    maxFailuresPerConnection: 3,
    maxChecksInFlight: 2,
  },
  /** `WordsServiceOptions.registration`: accounts registered per connection and per address (`RegistrationLimitOptions`). */
  registration: {
    perConnection: 2,
    perAddress: 10,
    window: 3600,
    maxTracked: 10_000,
  },
  /** `MemoryStore`: room lines kept per room and in all. */
  memoryStore: {
    historyPerRoom: 1000,
    maxHistory: 50_000,
  },
  /** `WordsCluster`: a service joined to other nodes through `torsion/bus`. */
  cluster: {
    /** Seconds a room waits for a missing event (one sequence number) before skipping it and going on. */
    gapWait: 2,
    /** Events a room holds while waiting for a missing one; past this the gap is skipped at once. */
    maxPendingPerRoom: 1000,
    /** Seconds between checks that the nodes whose users are mirrored are alive (`--node-timeout` sets a third of it). */
    nodeCheck: 5,
    /** Seconds a stopping node waits for its last events (its users' quits) to reach the bus. */
    stopWait: 3,
  },
  /** `ClusterPolls`: long polls of web pages forwarded to the node holding the page. */
  clusterPolls: {
    /** Seconds a forwarded poll waits for the page's node to answer, beyond the poll's own wait (then 410/503). */
    forwardWait: 5,
    /** Forwarded polls waiting for another node's answer at once; past it a poll is answered 503 at once. */
    maxForwarded: 10_000,
    /** Longest node id accepted in a page or connection id (longer ones name no node). */
    maxNodeIdLength: 64,
    /** Seconds between checks that the nodes forwarded polls wait on are alive (`--node-timeout` sets a third of it). */
    nodeCheck: 5,
  },
  /** `DbStore`: room lines kept per room and in all. */
  dbStore: {
    historyPerRoom: 10_000,
    maxHistory: 200_000,
  },
} as const;
