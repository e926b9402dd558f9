/**
 * The review board's web side: the live page at `/`, the tiles under `/tiles/`, `/export.csv`, and the
 * classifier pass over every tile on worker threads.
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gatherResults, type Deferred } from 'torsion/defer';
import type { IReactorTime } from 'torsion/internet';
import { LivePage } from 'torsion/live';
import { Logger } from 'torsion/logger';
import { tags } from 'torsion/template';
import { ThreadPool, deferToThread, task } from 'torsion/threads';
import { Data, File, NoResource, Resource, type IResource, type Request } from 'torsion/web';
import { BoardPage, ReviewBoard } from './board.js';
import type { Model } from './model.js';
import { LabelStore } from './store.js';
import { makeSlide } from './tiles.js';
import { tilePath } from './work.js';

const log = new Logger({ namespace: 'torsion.review' });

const work = new URL('./work.js', import.meta.url);
const paintTile = task<typeof import('./work.js').paintTile>(work, 'paintTile');
const classifyTile = task<typeof import('./work.js').classifyTile>(work, 'classifyTile');

/** How `torsion review` is set up. */
export interface ReviewOptions {
  /** The folder for the label database and the tile images (created if missing). */
  data: string;
  /** How many tiles the slide has. */
  tiles: number;
  /** The slide's seed: the same seed gives the same tiles and the same hidden truth. */
  seed: number;
  /** Worker threads the classifier may use (default: all but one core, at least one). */
  classifierThreads?: number;
  /** Time source for timestamps and batching. */
  clock: IReactorTime;
}

/** A tile image: a static file, with ETag and ranges from `File`, cacheable for a day (tiles never change). */
class TileFile extends File {
  override render(request: Request) {
    request.setHeader('Cache-Control', 'public, max-age=86400');
    return super.render(request);
  }
}

/** `/tiles/<id>.png`, painted on a worker thread the first time it is asked for. */
class Tiles extends Resource {
  constructor(private readonly options: ReviewOptions, private readonly dir: string) {
    super();
  }

  override getChild(segment: string): IResource | PromiseLike<IResource> {
    const id = /^(\d{1,7})\.png$/.exec(segment) ? Number(segment.slice(0, -4)) : -1;
    if (id < 0 || id >= this.options.tiles) return new NoResource();
    const path = tilePath(this.dir, id);
    if (existsSync(path)) return new TileFile(path);
    return deferToThread(paintTile, this.options.seed, this.options.tiles, id, this.dir).addCallback(() => new TileFile(path));
  }
}

/** The board, its page, and the classifier. */
export class ReviewApp {
  readonly page: LivePage;
  readonly #pool: ThreadPool;
  #classifying: Deferred<void> | null = null;
  #closed = false;

  private constructor(
    readonly options: ReviewOptions,
    readonly board: ReviewBoard,
    readonly tileDir: string,
  ) {
    this.#pool = new ThreadPool({ maxThreads: options.classifierThreads ?? Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1) });
    this.page = new LivePage({
      title: 'Slide review \u2014 Torsion',
      element: () => new BoardPage(board),
      document: ({ title, head, body }) =>
        tags.html(
          tags.head(tags.meta({ charset: 'utf-8' }), tags.title(title), tags.link({ rel: 'stylesheet', href: 'board.css' }), head),
          tags.body(body),
        ),
    });
    this.page.putChild('tiles', new Tiles(options, tileDir));
    this.page.putChild('board.css', new Data(readFileSync(new URL('./board.css', import.meta.url)), 'text/css; charset=utf-8'));
    this.page.putChild('export.csv', new ExportCSV(board));
  }

  /** Opens the data folder (labels kept from earlier runs are loaded). */
  static async open(options: ReviewOptions): Promise<ReviewApp> {
    const data = resolve(options.data);
    const tileDir = join(data, `tiles-${options.seed}-${options.tiles}`);
    mkdirSync(tileDir, { recursive: true });
    const store = await LabelStore.open(join(data, `labels-${options.seed}-${options.tiles}.sqlite`));
    const board = new ReviewBoard(makeSlide(options.seed, options.tiles), store, options.clock);
    await board.load();
    return new ReviewApp(options, board, tileDir);
  }

  /** The resource to serve: the live page, with the tiles and the export under it. */
  get resource(): IResource {
    return this.page;
  }

  /** Runs the classifier over every tile not yet classified; fires when all are done (failures are logged). */
  classify(): Deferred<void> {
    if (this.#classifying !== null) return this.#classifying;
    const model = JSON.parse(readFileSync(new URL('./model.json', import.meta.url), 'utf8')) as Model;
    const { seed, tiles } = this.options;
    log.info('classifying {tiles} tiles on {threads} worker thread(s)', { tiles, threads: this.#pool.max });
    const jobs: Deferred<void>[] = [];
    for (let id = 0; id < tiles; id++) {
      if (this.board.predictions[id] !== null) continue;
      jobs.push(this.#pool.defer(classifyTile, seed, tiles, id, this.tileDir, model).addCallback((p) => this.board.predicted(id, p)));
    }
    this.#classifying = gatherResults(jobs).addCallbacks(
      () => log.info('classifier done: {tiles} tiles', { tiles }),
      (f) => {
        if (!this.#closed) log.failure('the classifier failed', f);
      },
    );
    return this.#classifying;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.board.stop();
    this.page.close();
    await this.#pool.stop();
    await this.board.store.close();
  }
}

/** `GET /export.csv`: every current label, with its reviewer, time and the classifier's prediction. */
class ExportCSV extends Resource {
  override isLeaf = true;
  constructor(private readonly board: ReviewBoard) {
    super();
  }

  renderGET(request: Request): string {
    request.setHeader('Content-Type', 'text/csv; charset=utf-8');
    request.setHeader('Cache-Control', 'no-store');
    return this.board.exportCSV();
  }
}
