/**
 * Server-side widgets for the live tests.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { TagLoader, tags, type Tag } from '../../template/index.js';
import { renderer } from '../../template/index.js';
import { LiveElement } from '../element.js';
import { expose } from '../shared/expose.js';

/** Records what the browser sends, answers, and fails on demand. */
export class Recorder extends LiveElement {
  static override jsClass = 'Recorder';
  static override jsModule: string | URL | null = new URL('./recorder.client.ts', import.meta.url);
  static override loader = TagLoader(
    tags.div(
      { class: 'recorder' },
      tags.span({ 'data-live-id': 'status' }, 'ready'),
      tags.button({ 'data-live-id': 'button', 'data-live-on': 'click:clicked' }, 'go'),
      tags.div({ render: 'children' }),
    ),
  );
  readonly received: unknown[] = [];
  detachedCount = 0;
  initialChildren: LiveElement[] = [];

  constructor(readonly label = 'root') {
    super();
  }

  override getInitialArguments(): unknown[] {
    return [this.label];
  }

  @renderer
  children(_request: unknown, tag: Tag): Tag {
    return tag.add(...this.initialChildren.map((c) => this.addChildWidget(c)));
  }

  @expose
  record(value: unknown): unknown {
    this.received.push(value);
    return typeof value === 'number' ? value * 2 : value;
  }

  @expose
  fails(): never {
    throw new TypeError('server says no');
  }

  @expose
  later(value: string): Deferred<string> {
    return Deferred.succeed(`later ${value}`);
  }

  /** Not exposed: the browser must not reach it. */
  secret(): string {
    return 'secret';
  }

  override detached(): void {
    this.detachedCount++;
  }
}

/** A second widget class, loaded only when one appears. */
export class Badge extends LiveElement {
  static override jsClass = 'Badge';
  static override jsModule = new URL('./badge.client.ts', import.meta.url);
  static override loader = TagLoader(tags.em({ class: 'badge' }, tags.span({ 'data-live-id': 'text' })));
  detachedCount = 0;

  constructor(readonly text: string) {
    super();
  }

  override getInitialArguments(): unknown[] {
    return [this.text];
  }

  @expose
  echo(value: unknown): unknown {
    return value;
  }

  override detached(): void {
    this.detachedCount++;
  }
}
