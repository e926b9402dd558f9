/**
 * What runs on worker threads (`torsion/threads`): painting a tile into its PNG file, and classifying a
 * tile from that file. Each worker keeps the slide and the model it was last given.
 * @module
 */
import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { join } from 'node:path';
import { features } from './features.js';
import { predict, type Model, type Prediction } from './model.js';
import { decodePNG, encodePNG } from './png.js';
import { makeSlide, renderTile, type Slide } from './tiles.js';

let slide: Slide | null = null;

function slideOf(seed: number, tiles: number): Slide {
  if (slide === null || slide.seed !== seed || slide.tiles !== tiles) slide = makeSlide(seed, tiles);
  return slide;
}

/** The file of tile `id` in `dir`. */
export function tilePath(dir: string, id: number): string {
  return join(dir, `${id}.png`);
}

/**
 * Writes tile `id`'s PNG into `dir` unless it is there: written whole under another name, then linked into
 * place, so readers never see half of one. A request and the classifier may paint the same tile at once;
 * the first one linked stays, so a tile, once served, keeps its file and its ETag.
 */
export function paintTile(seed: number, tiles: number, id: number, dir: string): void {
  const path = tilePath(dir, id);
  if (existsSync(path)) return;
  const temporary = `${path}.${process.pid}.${threadId}.tmp`;
  writeFileSync(temporary, encodePNG(renderTile(seed, id, slideOf(seed, tiles).truth[id]!)));
  publishOnce(temporary, path);
}

/** Moves the file `from` to `to` unless `to` exists (then `from` is dropped): never replaces what is there. */
export function publishOnce(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(from, { force: true });
  }
}

/** Paints tile `id` if needed, then classifies it from its PNG file, as the model would see any image. */
export function classifyTile(seed: number, tiles: number, id: number, dir: string, model: Model): Prediction {
  paintTile(seed, tiles, id, dir);
  return predict(model, features(decodePNG(readFileSync(tilePath(dir, id)))));
}
