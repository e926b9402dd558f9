/**
 * The default limits of the framings and policies, in one place. Each framing keeps Twisted's per-class
 * knob (`MAX_LENGTH`), which starts at the value named here; subclasses and instances change it.
 * Browser-safe.
 * @module
 */
export const PROTOCOL_LIMITS = {
  /** `LineReceiver`/`LineOnlyReceiver.MAX_LENGTH`: the longest line, in bytes, without the delimiter. */
  maxLineLength: 16384,
  /** `NetstringReceiver.MAX_LENGTH`: the longest netstring, in bytes. */
  maxNetstringLength: 99999,
  /** `IntNStringReceiver.MAX_LENGTH`: the longest length-prefixed string, in bytes. */
  maxPrefixedStringLength: 99999,
  /** `TimeoutFactory`'s `timeoutPeriod`: seconds of silence before a connection is dropped (as Twisted). */
  idleTimeout: 30 * 60,
  /** A framing's emptied buffer bigger than this many bytes is released rather than kept for reuse. */
  retainedBuffer: 64 * 1024,
} as const;
