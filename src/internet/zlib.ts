/**
 * Raw inflate with a preset history (the LZ77 window a continuing stream would have), on every runtime.
 * Node and Bun honour zlib's `dictionary` option for raw streams; Deno 2 ignores it, so there the history
 * goes in front of the input as one stored (uncompressed) deflate block and is cut from the output, which
 * any inflater reads the same way.
 * @module
 */
import { constants, inflateRawSync, type ZlibOptions } from 'node:zlib';

/** A stored block's payload is at most this long; a deflate window (32 KiB) always fits. */
const STORED_BLOCK_MAX = 0xffff;

let dictionaryHonoured: boolean | undefined;

/** A raw deflate stream of `PROBE_TEXT` that is one back-reference into the same text as dictionary. */
const PROBE_TEXT = 'torsion dictionary probe: torsion dictionary probe';
const PROBE_STREAM = 'c3258e5b0700';

/** Whether this runtime's raw inflate uses `dictionary` (probed once, on a few bytes). */
function rawDictionaryWorks(): boolean {
  if (dictionaryHonoured === undefined) {
    const dictionary = Buffer.from(PROBE_TEXT);
    try {
      dictionaryHonoured = inflateRawSync(Buffer.from(PROBE_STREAM, 'hex'), { dictionary }).equals(dictionary);
    } catch {
      dictionaryHonoured = false;
    }
  }
  return dictionaryHonoured;
}

/** `history` as a non-final stored block: header byte, LEN and its complement, the bytes. */
function storedBlock(history: Buffer): Buffer {
  const block = Buffer.allocUnsafe(5 + history.length);
  block[0] = 0;
  block.writeUInt16LE(history.length, 1);
  block.writeUInt16LE(~history.length & 0xffff, 3);
  history.copy(block, 5);
  return block;
}

/**
 * `inflateRawSync(input, { ...options, dictionary: history })`, also where the runtime ignores the
 * dictionary. `history` must be at most 32 KiB (a deflate window); `maxOutputLength` bounds the message
 * alone, as with a dictionary. Throws what `inflateRawSync` throws.
 */
export function inflateRawWithHistory(input: Buffer, history: Buffer | undefined, options: ZlibOptions = {}): Buffer {
  if (!history || history.length === 0 || rawDictionaryWorks()) {
    return inflateRawSync(input, history && history.length > 0 ? { ...options, dictionary: history } : options);
  }
  return inflateRawAfterStoredHistory(input, history, options);
}

/** What {@link inflateRawWithHistory} does where `dictionary` is ignored (exported for its test on Node). */
export function inflateRawAfterStoredHistory(input: Buffer, history: Buffer, options: ZlibOptions = {}): Buffer {
  if (history.length > STORED_BLOCK_MAX) throw new RangeError(`a deflate history is at most 32 KiB, not ${history.length} bytes`);
  const limit = options.maxOutputLength;
  const out = inflateRawSync(Buffer.concat([storedBlock(history), input]), {
    ...options,
    finishFlush: options.finishFlush ?? constants.Z_SYNC_FLUSH,
    maxOutputLength: limit === undefined ? undefined : limit + history.length,
  });
  const message = out.subarray(history.length);
  if (limit !== undefined && message.length > limit) {
    throw Object.assign(new RangeError(`inflated output is over maxOutputLength (${limit} bytes)`), { code: 'ERR_BUFFER_TOO_LARGE' });
  }
  return message;
}
