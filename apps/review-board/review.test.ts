/**
 * The review board's parts without a browser: PNG codec, tile generator, kappa, the shipped model, and the
 * board's rules (validation, order, export, panel) over an in-memory label store and a fake clock.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from 'torsion/testing';
import { BoardPage, InvalidRequest, ReviewBoard, type Snapshot } from './board.js';
import { features } from './features.js';
import { cohensKappa, confusionMatrix } from './kappa.js';
import { predict, type Model } from './model.js';
import { decodePNG, encodePNG } from './png.js';
import type { LabelRow, LabelStorage } from './store.js';
import { CLASSES, makeSlide, renderTile } from './tiles.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishOnce } from './work.js';

describe('PNG', () => {
  test('what is encoded decodes to the same pixels', () => {
    const pixels = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const file = encodePNG({ width: 5, height: 3, pixels });
    assert.deepEqual([...file.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.deepEqual(decodePNG(file), { width: 5, height: 3, pixels });
  });

  test('anything else is refused', () => {
    assert.throws(() => decodePNG(Buffer.from('GIF89a')), /not a PNG/);
  });
});

describe('tiles', () => {
  test('the same seed gives the same slide and the same pixels; another seed another slide', () => {
    const a = makeSlide(1, 400);
    assert.deepEqual(makeSlide(1, 400), a);
    assert.notDeepEqual(makeSlide(2, 400).truth, a.truth);
    assert.equal(a.columns, 20);
    for (const cls of CLASSES) assert.ok(a.truth.filter((c) => c === cls).length > 20, `${cls} has a region of its own`);
    assert.deepEqual(renderTile(1, 7, 'tumor').pixels, renderTile(1, 7, 'tumor').pixels);
    assert.notDeepEqual(renderTile(1, 8, 'tumor').pixels, renderTile(1, 7, 'tumor').pixels);
  });

  test('neighbouring tiles mostly share a class: the truth comes in regions', () => {
    const { truth, columns } = makeSlide(3, 400);
    let same = 0;
    for (let id = 1; id < truth.length; id++) if (id % columns !== 0 && truth[id] === truth[id - 1]) same++;
    assert.ok(same / (truth.length - truth.length / columns) > 0.7, `${same} of the horizontal neighbours agree`);
  });
});

test('a tile painted twice at once keeps the first file put in place (its ETag does not change)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-review-tile-'));
  try {
    const path = join(dir, '8.png');
    writeFileSync(join(dir, 'a.tmp'), 'first');
    writeFileSync(join(dir, 'b.tmp'), 'second');
    publishOnce(join(dir, 'a.tmp'), path);
    publishOnce(join(dir, 'b.tmp'), path);
    assert.equal(readFileSync(path, 'utf8'), 'first');
    assert.equal(existsSync(join(dir, 'a.tmp')) || existsSync(join(dir, 'b.tmp')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('kappa', () => {
  test("Cohen's kappa over the tiles both rated", () => {
    const a = new Map([[0, 'tumor'], [1, 'tumor'], [2, 'stroma'], [3, 'normal'], [9, 'normal']]);
    const b = new Map([[0, 'tumor'], [1, 'stroma'], [2, 'stroma'], [3, 'normal'], [7, 'tumor']]);
    // Over tiles 0-3: observed 3/4; chance 0.5*0.25 + 0.25*0.5 + 0.25*0.25 = 0.3125.
    const { kappa, n } = cohensKappa(a, b);
    assert.equal(n, 4);
    assert.ok(Math.abs(kappa! - (0.75 - 0.3125) / (1 - 0.3125)) < 1e-12);
    assert.deepEqual(confusionMatrix(a, b, CLASSES), [[1, 1, 0], [0, 1, 0], [0, 0, 1]]);
  });

  test('undefined with no shared tile, or when both gave everything one label', () => {
    assert.deepEqual(cohensKappa(new Map([[0, 'tumor']]), new Map([[1, 'tumor']])), { kappa: null, n: 0 });
    assert.deepEqual(cohensKappa(new Map([[0, 'tumor'], [1, 'tumor']]), new Map([[0, 'tumor'], [1, 'tumor']])), { kappa: null, n: 2 });
    assert.equal(cohensKappa(new Map([[0, 'tumor'], [1, 'stroma']]), new Map([[0, 'stroma'], [1, 'tumor']])).kappa, -1);
  });
});

test('the shipped model calls tiles of a seed it was not trained on better than chance by far', () => {
  const model = JSON.parse(readFileSync(new URL('./model.json', import.meta.url), 'utf8')) as Model;
  let right = 0;
  const total = 45;
  for (let i = 0; i < total; i++) {
    const cls = CLASSES[i % 3]!;
    if (predict(model, features(renderTile(424242, i, cls))).label === cls) right++;
  }
  assert.ok(right / total > 0.75, `${right} of ${total} right`);
});

class MemoryStore implements LabelStorage {
  rows: LabelRow[] = [];
  async all(): Promise<LabelRow[]> {
    return [...this.rows];
  }
  async put(row: LabelRow): Promise<void> {
    this.rows = this.rows.filter((r) => r.tile !== row.tile || r.reviewer !== row.reviewer).concat(row);
  }
  async close(): Promise<void> {}
}

/** A page of the board that records what it is told, as the browser widget would receive it. */
class RecordingPage extends BoardPage {
  told: [string, unknown[]][] = [];
  override show(method: string, ...args: unknown[]): void {
    this.told.push([method, args]);
  }
}

describe('the board', () => {
  function board() {
    const clock = new Clock();
    clock.advance(1_764_000_000);
    const store = new MemoryStore();
    return { board: new ReviewBoard(makeSlide(1, 16), store, clock), store, clock };
  }

  test('labels are validated, stored, shown to every page in order, and exported', async () => {
    const { board: b, store, clock } = board();
    const page = new RecordingPage(b);
    page.snapshot();
    assert.throws(() => page.join('Model'), InvalidRequest);
    assert.throws(() => page.join('<b>'), InvalidRequest);
    await assert.rejects(page.label(0, 'tumor'), /enter your name first/);
    assert.equal(page.join(' Alice '), 'alice');
    await assert.rejects(page.label(16, 'tumor'), InvalidRequest);
    await assert.rejects(page.label(1.5, 'tumor'), InvalidRequest);
    await assert.rejects(page.label(0, 'cancer'), InvalidRequest);
    await Promise.all([page.label(3, 'tumor'), page.label(1, 'normal'), page.label(3, 'stroma')]);
    assert.deepEqual(store.rows.map((r) => [r.tile, r.label]), [[1, 'normal'], [3, 'stroma']]);
    assert.deepEqual(
      page.told.filter(([m]) => m === 'labelled').map(([, args]) => args),
      [[3, 'alice', 'tumor'], [1, 'alice', 'normal'], [3, 'alice', 'stroma']],
      'shown in the order made, the last label winning',
    );
    b.predicted(3, { label: 'tumor', confidence: 0.9 });
    clock.advance(1);
    assert.deepEqual(page.told.find(([m]) => m === 'predicted')?.[1], [[[3, 'tumor']], 1]);
    const time = new Date(1_764_000_000_000).toISOString();
    assert.equal(b.exportCSV(), `tile,reviewer,label,time,prediction\r\n1,alice,normal,${time},\r\n3,alice,stroma,${time},tumor\r\n`);
  });

  test('the panel has every pair of raters, sorted, and the tiles where people and model disagree most', async () => {
    const { board: b } = board();
    const [alice, bob] = [new RecordingPage(b), new RecordingPage(b)];
    alice.join('alice');
    bob.join('bob');
    for (let t = 0; t < 4; t++) {
      await alice.label(t, 'tumor');
      await bob.label(t, (['tumor', 'stroma', 'normal', 'normal'] as const)[t]);
      b.predicted(t, { label: t === 0 ? 'tumor' : 'stroma', confidence: 0.5 + t / 10 });
    }
    const panel = alice.select('alice|bob');
    assert.deepEqual(panel.kappas.map((k) => k.pair), ['alice|bob', 'alice|model', 'alice|truth', 'bob|model', 'bob|truth', 'model|truth']);
    assert.deepEqual(panel.confusion, { pair: 'alice|bob', matrix: [[1, 1, 2], [0, 0, 0], [0, 0, 0]] });
    assert.deepEqual(panel.disagreements.map((d) => [d.tile, d.against]), [[3, ['alice', 'bob']], [2, ['alice', 'bob']], [1, ['alice']]]);
    const snapshot: Snapshot = b.snapshot(null);
    assert.equal(snapshot.labels.length, 8);
    assert.equal(snapshot.done, 4);
  });

  test('labels stored earlier are there after a restart', async () => {
    const { board: b, store, clock } = board();
    const page = new RecordingPage(b);
    page.join('carol');
    await page.label(5, 'normal');
    const again = new ReviewBoard(makeSlide(1, 16), store, clock);
    await again.load();
    assert.equal(again.labels.get('carol')?.get(5)?.label, 'normal');
  });
});
