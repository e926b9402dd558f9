/**
 * Whole-file transfers with many requests in flight, as OpenSSH's `sftp` does (64 by default): a read
 * pipeline that copes with short reads and an early end of file, and a write pipeline.
 * @module
 */
import { SFTPLimitError } from '../errors.js';

/** What the pipelines need from the client: one READ and one WRITE on an open handle. */
export interface ChunkIO {
  /** Up to `length` bytes at `offset`, in one or more pieces, or null at the end of the file. */
  read(offset: number, length: number): PromiseLike<Uint8Array[] | null>;
  write(offset: number, data: Uint8Array): PromiseLike<void>;
}

/**
 * Reads from offset 0 to the end of the file with up to `inFlight` READs of `chunk` bytes outstanding,
 * handing each answer to `onData(data, offset)` as it arrives (answers may come in any order). A short
 * answer asks again for the rest of its range; an end of file stops asking past it. `onData` may throw to
 * stop: the Promise then fails with what it threw. Resolves with the file's length.
 */
export function readRanges(io: ChunkIO, chunk: number, inFlight: number, onData: (data: Uint8Array, offset: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const retries: Array<[number, number]> = [];
    let next = 0;
    let eofAt = Infinity;
    let outstanding = 0;
    let failed = false;

    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      reject(e);
    };
    const issue = (offset: number, length: number): void => {
      outstanding++;
      io.read(offset, length).then((answer) => {
        outstanding--;
        if (failed) return;
        let got = 0;
        try {
          // More than was asked for is cut off: only the range asked for is the server's answer.
          for (const piece of answer ?? []) {
            const data = got + piece.length > length ? piece.subarray(0, length - got) : piece;
            if (data.length > 0) onData(data, offset + got);
            got += data.length;
          }
        } catch (e) {
          return fail(e);
        }
        if (got === 0) eofAt = Math.min(eofAt, offset);
        else if (got < length && offset + got < eofAt) retries.push([offset + got, length - got]);
        fill();
      }, fail);
    };
    const fill = (): void => {
      while (outstanding < inFlight) {
        const retry = retries.pop();
        if (retry !== undefined) {
          if (retry[0] < eofAt) issue(retry[0], retry[1]);
          continue;
        }
        if (next >= eofAt) break;
        issue(next, chunk);
        next += chunk;
      }
      if (outstanding === 0 && retries.length === 0 && !failed) resolve(eofAt);
    };
    fill();
  });
}

/**
 * The whole file in one buffer (sized from `sizeHint`, the file's size when known, and grown if the file
 * turns out longer), read by {@link readRanges}. Fails with {@link SFTPLimitError} once the file passes
 * `maxBytes`.
 */
export async function readAll(io: ChunkIO, chunk: number, inFlight: number, maxBytes: number, sizeHint = 0): Promise<Uint8Array> {
  let out = new Uint8Array(Math.min(sizeHint, maxBytes));
  const length = await readRanges(io, chunk, inFlight, (data, offset) => {
    const end = offset + data.length;
    if (end > maxBytes) throw new SFTPLimitError(`the file is longer than the ${maxBytes} bytes readFile may gather`);
    if (end > out.length) {
      const bigger = new Uint8Array(Math.min(maxBytes, Math.max(end, out.length * 2)));
      bigger.set(out);
      out = bigger;
    }
    out.set(data, offset);
  });
  return out.subarray(0, Math.min(length, out.length));
}

/** Writes `data` from offset 0 in `chunk`-byte WRITEs, up to `inFlight` outstanding; fails on the first error. */
export function writeAll(io: ChunkIO, data: Uint8Array, chunk: number, inFlight: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let outstanding = 0;
    let failed = false;
    const fill = (): void => {
      while (!failed && outstanding < inFlight && next < data.length) {
        const offset = next;
        next = Math.min(data.length, next + chunk);
        outstanding++;
        io.write(offset, data.subarray(offset, next)).then(
          () => {
            outstanding--;
            fill();
          },
          (e: unknown) => {
            if (!failed) reject(e);
            failed = true;
          },
        );
      }
      if (!failed && outstanding === 0 && next >= data.length) resolve();
    };
    fill();
  });
}
