/**
 * Every limit an AMP peer can push against, named once with its default. Browser-safe.
 * @module
 */

/** The limits of an AMP connection; pass a partial object to `new AMP({ limits })` to change them. */
export interface AMPLimits {
  /** The longest key, in bytes (Twisted's 255: a key length above it is refused with `TooLong`). */
  maxKeyLength: number;
  /** The longest value, in bytes (Twisted's `MAX_VALUE_LENGTH`, 65,535: the 16-bit length prefix). */
  maxValueLength: number;
  /** The most bytes one box may hold, keys and prefixes included; a peer streaming an endless box is cut off. */
  maxBoxBytes: number;
  /** The most commands received and not yet answered; beyond it the connection is dropped (a flood of slow calls). */
  maxPendingCommands: number;
  /** The most nested AmpList levels decoded (each level is a box inside a value). */
  maxNesting: number;
}

/** The defaults: Twisted's wire limits, plus bounds Twisted leaves open. */
export const AMP_LIMITS: Readonly<AMPLimits> = Object.freeze({
  maxKeyLength: 255,
  maxValueLength: 65_535,
  maxBoxBytes: 1024 * 1024,
  maxPendingCommands: 1000,
  maxNesting: 8,
});
