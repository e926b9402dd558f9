/**
 * The classifier: multinomial logistic regression over standardized tile features, trained by
 * `train.ts` and saved as JSON next to this file.
 * @module
 */
import { CLASSES, type TissueClass } from './tiles.js';

/** A trained model as saved in `model.json`. */
export interface Model {
  classes: readonly TissueClass[];
  mean: number[];
  scale: number[];
  /** One row per class: a weight per feature, then the bias. */
  weights: number[][];
}

/** A class and the probability the model gives it. */
export interface Prediction {
  label: TissueClass;
  confidence: number;
}

function softmax(scores: number[]): number[] {
  const top = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

function probabilities(model: Model, x: number[]): number[] {
  const z = x.map((v, j) => (v - model.mean[j]!) / model.scale[j]!);
  return softmax(model.weights.map((w) => z.reduce((s, v, j) => s + v * w[j]!, w[z.length]!)));
}

/** The model's call for one feature vector. */
export function predict(model: Model, x: number[]): Prediction {
  const p = probabilities(model, x);
  const best = p.indexOf(Math.max(...p));
  return { label: model.classes[best]!, confidence: p[best]! };
}

/** Fits a model by full-batch gradient descent with L2 regularization (deterministic: same data, same model). */
export function train(samples: { x: number[]; y: TissueClass }[], { epochs = 800, rate = 0.5, l2 = 1e-3 } = {}): Model {
  const dims = samples[0]!.x.length;
  const mean = Array.from({ length: dims }, (_, j) => samples.reduce((s, { x }) => s + x[j]!, 0) / samples.length);
  const scale = mean.map((m, j) => Math.sqrt(samples.reduce((s, { x }) => s + (x[j]! - m) ** 2, 0) / samples.length) || 1);
  const model: Model = { classes: CLASSES, mean, scale, weights: CLASSES.map(() => new Array<number>(dims + 1).fill(0)) };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gradient = CLASSES.map(() => new Array<number>(dims + 1).fill(0));
    for (const { x, y } of samples) {
      const z = x.map((v, j) => (v - mean[j]!) / scale[j]!);
      const p = probabilities(model, x);
      p.forEach((pk, k) => {
        const error = pk - (CLASSES[k] === y ? 1 : 0);
        for (let j = 0; j < dims; j++) gradient[k]![j]! += error * z[j]!;
        gradient[k]![dims]! += error;
      });
    }
    model.weights.forEach((w, k) =>
      w.forEach((_, j) => {
        w[j]! -= rate * (gradient[k]![j]! / samples.length + (j < dims ? l2 * w[j]! : 0));
      }),
    );
  }
  return model;
}
