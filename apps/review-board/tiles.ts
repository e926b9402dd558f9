/**
 * Synthetic histology-like tiles, made from a seed so that no data set is downloaded. A slide is a grid of
 * 256×256 tiles whose hidden ground truth comes in contiguous regions of three tissue classes; each tile is
 * painted in H&E-like colours (purple nuclei on pink stroma, white gland lumens) with a density and texture
 * that depend on its class, and some tiles borrow from another class so that they are hard to call.
 * @module
 */
import type { RGBImage } from './png.js';

export const CLASSES = ['tumor', 'stroma', 'normal'] as const;
export type TissueClass = (typeof CLASSES)[number];
export const TILE_SIZE = 256;

/** A small, fast, seedable generator (mulberry32): the same seed gives the same numbers everywhere. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(seed: number, id: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(id + 1, 0xc2b2ae35)) >>> 0;
}

/** A slide: its grid and the class of every tile (the hidden ground truth). */
export interface Slide {
  seed: number;
  tiles: number;
  columns: number;
  rows: number;
  truth: TissueClass[];
}

/** The slide of `tiles` tiles made from `seed`: regions of each class around random centres. */
export function makeSlide(seed: number, tiles: number): Slide {
  const rand = random(mix(seed, -1));
  const columns = Math.ceil(Math.sqrt(tiles));
  const rows = Math.ceil(tiles / columns);
  const centres = Array.from({ length: Math.max(4, Math.round(tiles / 40)) }, (_, i) => ({
    x: rand() * columns,
    y: rand() * rows,
    cls: CLASSES[i % 3]!,
  }));
  const truth: TissueClass[] = [];
  for (let id = 0; id < tiles; id++) {
    const x = id % columns;
    const y = Math.floor(id / columns);
    let best = centres[0]!;
    let bestDistance = Infinity;
    for (const c of centres) {
      const d = (c.x - x) ** 2 + (c.y - y) ** 2;
      if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    truth.push(rand() < 0.04 ? CLASSES[Math.floor(rand() * 3)]! : best.cls);
  }
  return { seed, tiles, columns, rows, truth };
}

interface Look {
  nuclei: number;
  radius: number;
  elongation: number;
  irregularity: number;
  lumens: number;
  fibres: number;
  nucleus: [number, number, number];
  ground: [number, number, number];
}

const LOOKS: Record<TissueClass, Look> = {
  tumor: { nuclei: 150, radius: 8.5, elongation: 1.2, irregularity: 0.35, lumens: 0, fibres: 0.2, nucleus: [82, 36, 122], ground: [214, 150, 190] },
  stroma: { nuclei: 38, radius: 3.8, elongation: 3, irregularity: 0.1, lumens: 0, fibres: 1, nucleus: [112, 52, 140], ground: [236, 166, 196] },
  normal: { nuclei: 75, radius: 4.8, elongation: 1.1, irregularity: 0.08, lumens: 4, fibres: 0.35, nucleus: [100, 60, 150], ground: [240, 190, 214] },
};

function blend(a: Look, b: Look, t: number): Look {
  const n = (x: number, y: number) => x + (y - x) * t;
  const c = (x: [number, number, number], y: [number, number, number]): [number, number, number] => [n(x[0], y[0]), n(x[1], y[1]), n(x[2], y[2])];
  return {
    nuclei: n(a.nuclei, b.nuclei),
    radius: n(a.radius, b.radius),
    elongation: n(a.elongation, b.elongation),
    irregularity: n(a.irregularity, b.irregularity),
    lumens: n(a.lumens, b.lumens),
    fibres: n(a.fibres, b.fibres),
    nucleus: c(a.nucleus, b.nucleus),
    ground: c(a.ground, b.ground),
  };
}

/** Paints tile `id` of the slide made from `seed`, whose true class is `cls`. */
export function renderTile(seed: number, id: number, cls: TissueClass): RGBImage {
  const rand = random(mix(seed, id));
  const other = CLASSES[(CLASSES.indexOf(cls) + 1 + Math.floor(rand() * 2)) % 3]!;
  const look = blend(LOOKS[cls], LOOKS[other], rand() ** 3 * 0.65);
  const size = TILE_SIZE;
  const pixels = new Uint8Array(size * size * 3);
  // Ground: pink, with fibres as a wavy stripe pattern along a random direction.
  const angle = rand() * Math.PI;
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const period = 3 + rand() * 3;
  const shade = 0.92 + rand() * 0.12;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const along = x * dx + y * dy;
      const across = -x * dy + y * dx;
      const fibre = Math.sin(across / period + Math.sin(along / 23) * 1.5) * 14 * look.fibres;
      const i = (y * size + x) * 3;
      for (let ch = 0; ch < 3; ch++) pixels[i + ch] = clamp(look.ground[ch]! * shade + fibre);
    }
  }
  // Gland lumens: white holes ringed by small, regular nuclei.
  const lumens = Math.floor(look.lumens + rand());
  const rims: { x: number; y: number }[] = [];
  for (let l = 0; l < lumens; l++) {
    const cx = rand() * size;
    const cy = rand() * size;
    const r = 16 + rand() * 26;
    disc(pixels, cx, cy, r, r, 0, [248, 244, 248], 0.95);
    for (let k = 0, n = Math.floor(r / 2.5); k < n; k++) {
      const a = (k / n) * 2 * Math.PI;
      rims.push({ x: cx + Math.cos(a) * (r + 4), y: cy + Math.sin(a) * (r + 4) });
    }
  }
  // Nuclei: ellipses, dense and large in tumour, sparse and elongated along the fibres in stroma.
  const count = Math.round(look.nuclei * (0.75 + rand() * 0.5));
  const spots = [...rims, ...Array.from({ length: count }, () => ({ x: rand() * size, y: rand() * size }))];
  for (const { x, y } of spots) {
    const r = look.radius * (0.7 + rand() * 0.6) * (1 + (rand() - 0.5) * look.irregularity * 2);
    const colour = look.nucleus.map((v) => v + (rand() - 0.5) * 30) as [number, number, number];
    const theta = look.elongation > 1.5 ? angle + (rand() - 0.5) * 0.4 : rand() * Math.PI;
    disc(pixels, x, y, r * Math.sqrt(look.elongation), r / Math.sqrt(look.elongation), theta, colour, 0.85);
  }
  return { width: size, height: size, pixels };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Blends a filled, rotated ellipse into the pixels. */
function disc(pixels: Uint8Array, cx: number, cy: number, rx: number, ry: number, theta: number, colour: readonly number[], alpha: number): void {
  const size = TILE_SIZE;
  const reach = Math.ceil(Math.max(rx, ry));
  const [c, s] = [Math.cos(theta), Math.sin(theta)];
  for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(size - 1, Math.ceil(cy + reach)); y++) {
    for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(size - 1, Math.ceil(cx + reach)); x++) {
      const u = ((x - cx) * c + (y - cy) * s) / rx;
      const v = (-(x - cx) * s + (y - cy) * c) / ry;
      if (u * u + v * v > 1) continue;
      const i = (y * size + x) * 3;
      for (let ch = 0; ch < 3; ch++) pixels[i + ch] = clamp(pixels[i + ch]! * (1 - alpha) + colour[ch]! * alpha);
    }
  }
}
