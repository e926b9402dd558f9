/**
 * The review board's state, shared by every page: labels by reviewer, the classifier's predictions, and the
 * agreement panel computed from them. Each browser page is a {@link BoardPage} live element.
 * @module
 */
import { TorsionError } from 'torsion/errors';
import type { IDelayedCall, IReactorTime } from 'torsion/internet';
import { LiveElement, expose } from 'torsion/live';
import { Logger } from 'torsion/logger';
import { TagLoader, tags } from 'torsion/template';
import { cohensKappa, confusionMatrix, type Ratings } from './kappa.js';
import type { Prediction } from './model.js';
import type { LabelRow, LabelStorage } from './store.js';
import { CLASSES, type Slide, type TissueClass } from './tiles.js';

const log = new Logger({ namespace: 'torsion.review' });

/** The classifier's and the ground truth's names among the raters. */
export const MODEL = 'model';
export const TRUTH = 'truth';
/** Reviewer names: they become `data-label-<name>` attributes, so lower-case letters, digits, `-` and `_`. */
const REVIEWER_NAME = /^[a-z][a-z0-9_-]{0,23}$/;
/** How long predictions gather before they go to the pages, in seconds. */
const PREDICTION_BATCH = 0.25;
/** How many tiles the "disagree most" list shows. */
const DISAGREEMENTS_SHOWN = 10;

/** A request the board refuses: a bad name, tile or label. The page shows the message. */
export class InvalidRequest extends TorsionError {
  override name = 'InvalidRequest';
  override readonly code = 'TORSION_REVIEW_INVALID_REQUEST';
}

/** What the agreement panel shows. */
export interface Panel {
  /** Every pair of raters, `a|b` with the names sorted. */
  kappas: { pair: string; kappa: number | null; n: number }[];
  /** The confusion matrix of the pair the page selected (rows: the first name's labels). */
  confusion: { pair: string; matrix: number[][] } | null;
  /** Tiles where the reviewers and the classifier disagree most. */
  disagreements: { tile: number; prediction: TissueClass; confidence: number; against: string[] }[];
}

/** What every page's panel shares: each rater's labels, the kappas, the disagreements. */
interface Agreement {
  ratings: Map<string, Ratings>;
  kappas: Panel['kappas'];
  disagreements: Panel['disagreements'];
}

/** Everything a page needs to show the board as it is now. */
export interface Snapshot {
  labels: [tile: number, reviewer: string, label: TissueClass][];
  predictions: [tile: number, label: TissueClass][];
  done: number;
  panel: Panel;
}

export class ReviewBoard {
  /** Labels by reviewer, then by tile. */
  readonly labels = new Map<string, Map<number, LabelRow>>();
  readonly predictions: (Prediction | null)[];
  readonly #pages = new Set<BoardPage>();
  #classified = 0;
  #batch: [number, TissueClass][] = [];
  #flush: IDelayedCall | null = null;
  #writes: Promise<void> = Promise.resolve();

  constructor(
    readonly slide: Slide,
    readonly store: LabelStorage,
    readonly clock: IReactorTime,
  ) {
    this.predictions = new Array<Prediction | null>(slide.tiles).fill(null);
  }

  /** Loads the stored labels. */
  async load(): Promise<void> {
    for (const row of await this.store.all()) if (row.tile < this.slide.tiles) this.#set(row);
  }

  /** How many tiles the classifier has seen. */
  get classified(): number {
    return this.#classified;
  }

  /** The reviewers who have labelled something, sorted. */
  reviewers(): string[] {
    return [...this.labels.keys()].sort();
  }

  /** One rater's labels by tile: a reviewer, {@link MODEL} or {@link TRUTH}. */
  ratings(rater: string): Ratings {
    if (rater === TRUTH) return new Map(this.slide.truth.map((label, tile) => [tile, label]));
    if (rater === MODEL) {
      const m = new Map<number, string>();
      this.predictions.forEach((p, tile) => p !== null && m.set(tile, p.label));
      return m;
    }
    return new Map([...(this.labels.get(rater) ?? [])].map(([tile, row]) => [tile, row.label]));
  }

  /** The panel, with the confusion matrix of `pair` (`a|b`) if given. */
  panel(pair: string | null = null): Panel {
    return this.#panelFor(this.#agreement(), pair);
  }

  /** What every page's panel shares, computed once per change: each rater's labels, kappas, disagreements. */
  #agreement(): Agreement {
    const reviewers = this.reviewers();
    const raters = [...reviewers, MODEL, TRUTH].sort();
    const ratings = new Map(raters.map((r) => [r, this.ratings(r)]));
    const kappas: Panel['kappas'] = [];
    for (let i = 0; i < raters.length; i++) {
      for (let j = i + 1; j < raters.length; j++) {
        kappas.push({ pair: `${raters[i]}|${raters[j]}`, ...cohensKappa(ratings.get(raters[i]!)!, ratings.get(raters[j]!)!) });
      }
    }
    return { ratings, kappas, disagreements: this.#disagreements(reviewers) };
  }

  #panelFor({ ratings, kappas, disagreements }: Agreement, pair: string | null): Panel {
    let confusion: Panel['confusion'] = null;
    const [a, b] = pair?.split('|') ?? [];
    if (a !== undefined && b !== undefined && ratings.has(a) && ratings.has(b)) {
      confusion = { pair: pair!, matrix: confusionMatrix(ratings.get(a)!, ratings.get(b)!, CLASSES) };
    }
    return { kappas, confusion, disagreements };
  }

  #disagreements(reviewers: string[]): Panel['disagreements'] {
    const rows: (Panel['disagreements'][number] & { score: number })[] = [];
    this.predictions.forEach((p, tile) => {
      if (p === null) return;
      const against = reviewers.filter((r) => {
        const label = this.labels.get(r)!.get(tile)?.label;
        return label !== undefined && label !== p.label;
      });
      if (against.length > 0) rows.push({ tile, prediction: p.label, confidence: p.confidence, against, score: against.length * p.confidence });
    });
    rows.sort((x, y) => y.score - x.score || x.tile - y.tile);
    return rows.slice(0, DISAGREEMENTS_SHOWN).map(({ score: _, ...row }) => row);
  }

  snapshot(pair: string | null): Snapshot {
    const labels: Snapshot['labels'] = [];
    for (const [reviewer, rows] of this.labels) for (const row of rows.values()) labels.push([row.tile, reviewer, row.label]);
    const predictions: Snapshot['predictions'] = [];
    this.predictions.forEach((p, tile) => p !== null && predictions.push([tile, p.label]));
    return { labels, predictions, done: this.#classified, panel: this.panel(pair) };
  }

  /** Validates, stores, then shows everyone a reviewer's label. Writes are stored and shown in the order made. */
  label(reviewer: string, tile: unknown, label: unknown): Promise<void> {
    if (!Number.isInteger(tile) || (tile as number) < 0 || (tile as number) >= this.slide.tiles) throw new InvalidRequest(`no tile ${String(tile)}`);
    if (!CLASSES.includes(label as TissueClass)) throw new InvalidRequest(`a label is one of ${CLASSES.join(', ')}`);
    const row: LabelRow = { tile: tile as number, reviewer, label: label as TissueClass, time: new Date(this.clock.seconds() * 1000).toISOString() };
    const write = this.#writes.then(() => this.store.put(row));
    this.#writes = write.catch(() => undefined);
    return write.then(() => {
      this.#set(row);
      for (const page of this.#pages) page.show('labelled', row.tile, reviewer, row.label);
      this.#panels();
    });
  }

  /** The classifier's call for a tile: shown to the pages in batches. */
  predicted(tile: number, prediction: Prediction): void {
    if (this.predictions[tile] === null) this.#classified++;
    this.predictions[tile] = prediction;
    this.#batch.push([tile, prediction.label]);
    this.#flush ??= this.clock.callLater(PREDICTION_BATCH, () => {
      this.#flush = null;
      const batch = this.#batch;
      this.#batch = [];
      for (const page of this.#pages) page.show('predicted', batch, this.#classified);
      this.#panels();
    });
  }

  /** Every current label as CSV: `tile,reviewer,label,time,prediction`. */
  exportCSV(): string {
    const lines = ['tile,reviewer,label,time,prediction'];
    const rows = [...this.labels.values()].flatMap((m) => [...m.values()]).sort((a, b) => a.tile - b.tile || a.reviewer.localeCompare(b.reviewer));
    for (const r of rows) lines.push([r.tile, r.reviewer, r.label, r.time, this.predictions[r.tile]?.label ?? ''].join(','));
    return lines.join('\r\n') + '\r\n';
  }

  attach(page: BoardPage): void {
    this.#pages.add(page);
  }

  detach(page: BoardPage): void {
    this.#pages.delete(page);
  }

  stop(): void {
    if (this.#flush?.active()) this.#flush.cancel();
    this.#flush = null;
  }

  #set(row: LabelRow): void {
    let rows = this.labels.get(row.reviewer);
    if (rows === undefined) this.labels.set(row.reviewer, (rows = new Map()));
    rows.set(row.tile, row);
  }

  #panels(): void {
    if (this.#pages.size === 0) return;
    const shared = this.#agreement();
    for (const page of this.#pages) page.show('panel', this.#panelFor(shared, page.pair));
  }
}

/** One browser page of the board: the mosaic, the label buttons and the agreement panel. */
export class BoardPage extends LiveElement {
  static override jsClass = 'ReviewBoard';
  static override jsModule = new URL('./board.client.ts', import.meta.url);
  static override loader = TagLoader(
    tags.div(
      { class: 'board' },
      tags.header(
        tags.h1('Slide review'),
        tags.form({ 'data-live-id': 'login', 'data-live-on': 'submit:join' }, tags.input({ name: 'reviewer', placeholder: 'Your name', autocomplete: 'off', required: true }), tags.button('Join')),
        tags.span({ 'data-live-id': 'who', class: 'who' }),
        tags.div(
          { class: 'labels', 'data-live-id': 'labels', hidden: true },
          CLASSES.map((c) => tags.button({ type: 'button', 'data-label': c, 'data-live-on': 'click:labelSelected' }, c)),
        ),
        tags.label('Zoom ', tags.input({ type: 'range', min: '24', max: '256', value: '48', 'data-live-id': 'zoom', 'data-live-on': 'input:zoom' })),
        tags.label('Classifier ', tags.progress({ 'data-live-id': 'progress', value: '0', max: '1' })),
        tags.p({ 'data-live-id': 'error', class: 'error' }),
      ),
      tags.main(
        tags.div({ class: 'mosaic', 'data-live-id': 'mosaic', 'data-live-on': 'click:pick' }),
        tags.aside(
          { class: 'panel' },
          tags.h2('Agreement (Cohen\u2019s \u03ba)'),
          tags.table({ 'data-live-id': 'kappas', class: 'kappas' }),
          tags.h2('Confusion matrix'),
          tags.select({ 'data-live-id': 'pair', 'data-live-on': 'change:choosePair' }),
          tags.table({ 'data-live-id': 'confusion', class: 'confusion' }),
          tags.h2('People and classifier disagree most'),
          tags.ol({ 'data-live-id': 'disagreements', class: 'disagreements', 'data-live-on': 'click:goTo' }),
        ),
      ),
    ),
  );
  reviewer: string | null = null;
  /** The pair whose confusion matrix this page shows. */
  pair: string | null = null;

  constructor(readonly board: ReviewBoard) {
    super();
  }

  override getInitialArguments(): unknown[] {
    const { columns, tiles } = this.board.slide;
    return [columns, tiles, CLASSES];
  }

  /** Called once the page is loaded: from now on it is told of every change. */
  @expose
  snapshot(): Snapshot {
    this.board.attach(this);
    if (this.page !== null) this.notifyOnDisconnect().addCallback(() => this.board.detach(this));
    return this.board.snapshot(this.pair);
  }

  /** Takes a reviewer name for this page; answers it as stored (lower case). */
  @expose
  join(name: unknown): string {
    const reviewer = typeof name === 'string' ? name.trim().toLowerCase() : '';
    if (!REVIEWER_NAME.test(reviewer) || reviewer === MODEL || reviewer === TRUTH) {
      throw new InvalidRequest('a name is a letter then up to 23 letters, digits, - or _ (not "model" or "truth")');
    }
    this.reviewer = reviewer;
    return reviewer;
  }

  @expose
  async label(tile: unknown, label: unknown): Promise<void> {
    if (this.reviewer === null) throw new InvalidRequest('enter your name first');
    await this.board.label(this.reviewer, tile, label);
  }

  /** Chooses the pair of the confusion matrix; answers the panel. */
  @expose
  select(pair: unknown): Panel {
    this.pair = typeof pair === 'string' ? pair : null;
    return this.board.panel(this.pair);
  }

  /** Answers at once: how quickly the server answers is how busy its loop is. */
  @expose
  ping(): string {
    return 'pong';
  }

  /** Calls the page's widget, logging (not throwing) when the page has gone meanwhile. */
  show(method: string, ...args: unknown[]): void {
    this.callRemote(method, ...args).addErrback((f) => log.debug('page not told {method}: {why}', { method, why: f.getErrorMessage() }));
  }
}
