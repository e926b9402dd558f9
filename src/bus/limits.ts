/**
 * The limits of `torsion/bus`, in one place. Durations in seconds.
 * @module
 */

/** Bounds and timings of a bus node. */
export interface BusLimits {
  /** Seconds a presence key outlives the last heartbeat of the node holding it. */
  presenceTtl: number;
  /** Seconds between heartbeats (each refreshes every key the node holds); well under `presenceTtl`. */
  heartbeat: number;
  /** Longest channel or key name, in characters. */
  maxNameLength: number;
  /** Largest message, in bytes of its JSON encoding. */
  maxMessageBytes: number;
  /** First delay before reconnecting to Redis; doubled for each failed attempt. */
  reconnectDelay: number;
  /** Longest delay between reconnection attempts (at most `presenceTtl / 2` is used). */
  maxReconnectDelay: number;
  /** How long `connectRedisBus` waits for the first connection. */
  connectTimeout: number;
}

/** The defaults of {@link BusLimits}. */
export const BUS_LIMITS: Readonly<BusLimits> = Object.freeze({
  presenceTtl: 15,
  heartbeat: 5,
  maxNameLength: 256,
  maxMessageBytes: 1024 * 1024,
  reconnectDelay: 0.1,
  maxReconnectDelay: 10,
  connectTimeout: 10,
});
