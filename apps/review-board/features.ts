/**
 * What the classifier sees of a tile: colour statistics, a brightness histogram and texture measures,
 * computed from the pixels alone.
 * @module
 */
import type { RGBImage } from './png.js';

export const FEATURE_NAMES = [
  'red', 'green', 'blue', 'brightness spread', 'nuclear fraction', 'white fraction',
  'brightness 0-32', 'brightness 32-64', 'brightness 64-96', 'brightness 96-128',
  'brightness 128-160', 'brightness 160-192', 'brightness 192-224', 'brightness 224-256',
  'fine texture', 'coarse texture', 'nuclear clumping',
] as const;

/** The feature vector of an image, in the order of {@link FEATURE_NAMES}. */
export function features({ width, height, pixels }: RGBImage): number[] {
  const n = width * height;
  const brightness = new Float32Array(n);
  let [r, g, b, sum, sumSquares, nuclear, white] = [0, 0, 0, 0, 0, 0, 0];
  const histogram = new Array<number>(8).fill(0);
  const block = 16;
  const blocks = new Float32Array((width / block) * (height / block));
  for (let i = 0; i < n; i++) {
    const [pr, pg, pb] = [pixels[i * 3]!, pixels[i * 3 + 1]!, pixels[i * 3 + 2]!];
    const l = 0.299 * pr + 0.587 * pg + 0.114 * pb;
    brightness[i] = l;
    r += pr;
    g += pg;
    b += pb;
    sum += l;
    sumSquares += l * l;
    histogram[Math.min(7, Math.floor(l / 32))]!++;
    if (l < 140 && pb > pg) {
      nuclear++;
      const x = i % width;
      const y = Math.floor(i / width);
      blocks[Math.floor(y / block) * (width / block) + Math.floor(x / block)]!++;
    }
    if (l > 235) white++;
  }
  const mean = sum / n;
  const texture = (step: number) => {
    let total = 0;
    let count = 0;
    for (let y = 0; y < height - step; y += 2) {
      for (let x = 0; x < width - step; x += 2) {
        const i = y * width + x;
        total += Math.abs(brightness[i]! - brightness[i + step]!) + Math.abs(brightness[i]! - brightness[i + step * width]!);
        count += 2;
      }
    }
    return total / count / 64;
  };
  const blockMean = nuclear / blocks.length;
  let clumping = 0;
  for (const v of blocks) clumping += (v - blockMean) ** 2;
  return [
    r / n / 255, g / n / 255, b / n / 255,
    Math.sqrt(Math.max(0, sumSquares / n - mean * mean)) / 64,
    nuclear / n, white / n,
    ...histogram.map((h) => h / n),
    texture(1), texture(4),
    Math.sqrt(clumping / blocks.length) / (block * block),
  ];
}
