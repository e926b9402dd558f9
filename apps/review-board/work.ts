/**
 * What runs on worker threads (`torsion/threads`): painting a tile into its PNG file, and classifying a
 * tile from that file. Each worker keeps the slide and the model it was last given.
 * @module
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** Writes tile `id`'s PNG into `dir` unless it is there (written whole, then renamed, so readers never see half). */
export function paintTile(seed: number, tiles: number, id: number, dir: string): void {
  const path = tilePath(dir, id);
  if (existsSync(path)) return;
  const temporary = `${path}.${process.pid}.${threadId}.tmp`;
  writeFileSync(temporary, encodePNG(renderTile(seed, id, slideOf(seed, tiles).truth[id]!)));
  renameSync(temporary, path);
}

/** Paints tile `id` if needed, then classifies it from its PNG file, as the model would see any image. */
export function classifyTile(seed: number, tiles: number, id: number, dir: string, model: Model): Prediction {
  paintTile(seed, tiles, id, dir);
  return predict(model, features(decodePNG(readFileSync(tilePath(dir, id)))));
}
