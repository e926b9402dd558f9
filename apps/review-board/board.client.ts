/**
 * The review board in the browser: the mosaic of tiles with every reviewer's label as a coloured corner and
 * the classifier's call as a dashed frame, the label buttons, and the agreement panel. Compiled for the
 * browser by the `LivePage`.
 * @module
 */
import { Widget, expose } from 'torsion/live/client';

type Snapshot = {
  labels: [number, string, string][];
  predictions: [number, string][];
  done: number;
  panel: Panel;
};
type Panel = {
  kappas: { pair: string; kappa: number | null; n: number }[];
  confusion: { pair: string; matrix: number[][] } | null;
  disagreements: { tile: number; prediction: string; confidence: number; against: string[] }[];
};

export class ReviewBoard extends Widget {
  readonly tiles: HTMLElement[] = [];
  /** Reviewers in the order they first appear: the order of their corners. */
  readonly reviewers: string[] = [];
  selected: HTMLElement | null = null;

  constructor(
    node: Element,
    readonly columns: number,
    readonly total: number,
    readonly classes: string[],
  ) {
    super(node);
    const mosaic = this.nodeById('mosaic');
    mosaic.style.gridTemplateColumns = `repeat(${columns}, var(--tile))`;
    for (let id = 0; id < total; id++) {
      const tile = document.createElement('div');
      tile.className = 'tile';
      tile.dataset.tileId = String(id);
      const img = document.createElement('img');
      img.loading = 'lazy';
      img.alt = `tile ${id}`;
      img.src = `tiles/${id}.png`;
      tile.append(img);
      this.tiles.push(tile);
    }
    mosaic.append(...this.tiles);
    this.nodeById<HTMLProgressElement>('progress').max = total;
  }

  override loaded(): void {
    this.callRemote<Snapshot>('snapshot').then((s) => {
      for (const [tile, reviewer, label] of s.labels) this.labelled(tile, reviewer, label);
      this.predicted(s.predictions, s.done);
      this.panel(s.panel);
    }, this.#error);
  }

  /** The name form. */
  join(): boolean {
    const input = this.node.querySelector<HTMLInputElement>('input[name=reviewer]')!;
    this.callRemote<string>('join', input.value).then((name) => {
      this.nodeById('login').hidden = true;
      this.nodeById('labels').hidden = false;
      this.nodeById('who').textContent = `Reviewing as ${name}`;
      this.nodeById('error').textContent = '';
    }, this.#error);
    return false;
  }

  /** A click on the mosaic selects the tile under it. */
  pick(event: Event): void {
    const tile = (event.target as Element).closest<HTMLElement>('.tile');
    if (tile !== null) this.#select(tile);
  }

  /** A label button: labels the selected tile. */
  labelSelected(_event: Event, button: HTMLElement): void {
    if (this.selected === null) {
      this.nodeById('error').textContent = 'select a tile first';
      return;
    }
    this.nodeById('error').textContent = '';
    this.callRemote('label', Number(this.selected.dataset.tileId), button.dataset.label).then(undefined, this.#error);
  }

  zoom(_event: Event, input: HTMLInputElement): void {
    this.nodeById('mosaic').style.setProperty('--tile', `${input.value}px`);
  }

  choosePair(_event: Event, select: HTMLSelectElement): void {
    this.callRemote<Panel>('select', select.value).then((p) => this.panel(p), this.#error);
  }

  /** A tile in the "disagree most" list: selects it and brings it into view. */
  goTo(event: Event): void {
    const id = (event.target as Element).closest<HTMLElement>('[data-go]')?.dataset.go;
    if (id === undefined) return;
    const tile = this.tiles[Number(id)]!;
    this.#select(tile);
    tile.scrollIntoView({ block: 'center', inline: 'center' });
  }

  @expose
  labelled(tile: number, reviewer: string, label: string): void {
    const node = this.tiles[tile];
    if (node === undefined) return;
    if (!this.reviewers.includes(reviewer)) this.reviewers.push(reviewer);
    node.setAttribute(`data-label-${reviewer}`, label);
    node.querySelector(`.corner[data-reviewer="${reviewer}"]`)?.remove();
    const corner = document.createElement('i');
    const k = this.reviewers.indexOf(reviewer);
    corner.className = `corner c${k % 4} ${label}`;
    corner.dataset.reviewer = reviewer;
    corner.style.setProperty('--step', String(Math.floor(k / 4)));
    corner.title = `${reviewer}: ${label}`;
    node.append(corner);
  }

  @expose
  predicted(batch: [number, string][], done: number): void {
    for (const [tile, label] of batch) this.tiles[tile]?.setAttribute('data-prediction', label);
    this.nodeById<HTMLProgressElement>('progress').value = done;
  }

  @expose
  panel(p: Panel): void {
    const kappas = this.nodeById<HTMLTableElement>('kappas');
    kappas.replaceChildren(row('th', ['pair', '\u03ba', 'tiles']));
    for (const { pair, kappa, n } of p.kappas) {
      const tr = row('td', [pair.replace('|', ' \u2194 '), kappa === null ? '\u2014' : kappa.toFixed(2), String(n)]);
      tr.children[1]!.setAttribute('data-kappa', pair);
      kappas.append(tr);
    }
    const select = this.nodeById<HTMLSelectElement>('pair');
    const chosen = p.confusion?.pair ?? select.value;
    select.replaceChildren(new Option('choose a pair', ''), ...p.kappas.map(({ pair }) => new Option(pair.replace('|', ' \u2194 '), pair)));
    select.value = chosen;
    const confusion = this.nodeById<HTMLTableElement>('confusion');
    confusion.replaceChildren();
    if (p.confusion !== null) {
      const [a, b] = p.confusion.pair.split('|');
      confusion.append(row('th', [`${a} \u2193 / ${b} \u2192`, ...this.classes]));
      p.confusion.matrix.forEach((cells, i) => confusion.append(row('td', [this.classes[i]!, ...cells.map(String)])));
    }
    this.nodeById('disagreements').replaceChildren(
      ...p.disagreements.map((d) => {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.go = String(d.tile);
        button.textContent = `tile ${d.tile}: model says ${d.prediction} (${d.confidence.toFixed(2)}), ${d.against.join(', ')} disagree`;
        li.append(button);
        return li;
      }),
    );
  }

  #select(tile: HTMLElement): void {
    this.selected?.classList.remove('selected');
    this.selected = tile;
    tile.classList.add('selected');
  }

  #error = (e: Error): void => {
    this.nodeById('error').textContent = e.message;
  };
}

function row(cell: 'td' | 'th', texts: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const t of texts) {
    const c = document.createElement(cell);
    c.textContent = t;
    tr.append(c);
  }
  return tr;
}
