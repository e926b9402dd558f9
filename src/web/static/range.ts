/**
 * `Range: bytes=...` parsing (RFC 9110 §14). Returns the ranges to send, `'unsatisfiable'` (416), or null
 * when the header is not one we understand (then the whole file is sent, as the RFC allows).
 * @module
 */

/** An inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/** More ranges than this in one request is treated as abuse: the header is ignored. */
export const MAX_RANGES = 32;

/** Parses `header` for a resource of `size` bytes; overlapping/adjacent ranges are merged. */
export function parseRange(header: string, size: number): ByteRange[] | 'unsatisfiable' | null {
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return null;
  const specs = m[1].split(',');
  if (specs.length > MAX_RANGES) return null;
  const ranges: ByteRange[] = [];
  for (const raw of specs) {
    const spec = raw.trim();
    if (spec === '') continue;
    const r = /^(\d*)-(\d*)$/.exec(spec);
    if (!r || (r[1] === '' && r[2] === '')) return null;
    if (r[1] === '') {
      const n = Number(r[2]);
      if (n === 0) continue;
      ranges.push({ start: Math.max(0, size - n), end: size - 1 });
    } else {
      const start = Number(r[1]);
      const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
      if (r[2] !== '' && Number(r[2]) < start) return null;
      if (start >= size) continue;
      ranges.push({ start, end });
    }
  }
  if (ranges.length === 0) return 'unsatisfiable';
  ranges.sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [ranges[0]];
  for (let i = 1; i < ranges.length; i++) {
    const last = merged[merged.length - 1];
    if (ranges[i].start <= last.end + 1) last.end = Math.max(last.end, ranges[i].end);
    else merged.push(ranges[i]);
  }
  return merged;
}
