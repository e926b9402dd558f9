/**
 * Trains the classifier on freshly generated tiles (a seed of its own, never a slide's default) and writes
 * `model.json`:
 *   node -C torsion-source --import tsx apps/review-board/train.ts [tiles-per-class]
 * It prints the accuracy on held-out tiles of another seed.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { features } from './features.js';
import { predict, train } from './model.js';
import { CLASSES, renderTile } from './tiles.js';

const TRAINING_SEED = 7919;
const HELD_OUT_SEED = 104729;

function sample(seed: number, perClass: number) {
  return Array.from({ length: perClass * 3 }, (_, i) => {
    const y = CLASSES[i % 3]!;
    return { x: features(renderTile(seed, i, y)), y };
  });
}

const perClass = Number(process.argv[2] ?? 200);
const model = train(sample(TRAINING_SEED, perClass));
const heldOut = sample(HELD_OUT_SEED, Math.ceil(perClass / 2));
const correct = heldOut.filter(({ x, y }) => predict(model, x).label === y).length;
const round = (v: number) => Math.round(v * 1e6) / 1e6;
const saved = { ...model, mean: model.mean.map(round), scale: model.scale.map(round), weights: model.weights.map((w) => w.map(round)) };
writeFileSync(new URL('./model.json', import.meta.url), JSON.stringify(saved, null, 1) + '\n');
console.log(`trained on ${perClass * 3} tiles; held-out accuracy ${(correct / heldOut.length).toFixed(3)} (${heldOut.length} tiles)`);
