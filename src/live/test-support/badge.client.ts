/**
 * Browser side of the test `Badge` widget.
 * @module
 */
import { Widget, expose } from '../client/index.js';

export class Badge extends Widget {
  readonly seen: unknown[] = [];

  constructor(node: Element, text: string) {
    super(node);
    this.nodeById('text').textContent = text;
  }

  @expose
  show(value: unknown): string {
    this.seen.push(value);
    return `${this.nodeById('text').textContent}:${String(value)}`;
  }
}
