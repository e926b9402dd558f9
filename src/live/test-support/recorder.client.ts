/**
 * Browser side of the test `Recorder` widget.
 * @module
 */
import { Widget, expose } from '../client/index.js';

export class Recorder extends Widget {
  readonly received: unknown[] = [];
  readonly label: string;
  detachedCount = 0;
  loadedCount = 0;

  constructor(node: Element, label: string) {
    super(node);
    this.label = label;
  }

  override loaded(): void {
    this.loadedCount++;
  }

  @expose
  record(value: unknown): unknown {
    this.received.push(value);
    return typeof value === 'number' ? value + 1 : value;
  }

  @expose
  fails(): never {
    throw new RangeError('browser says no');
  }

  /** Not exposed. */
  secret(): string {
    return 'secret';
  }

  clicked(): boolean {
    this.nodeById('status').textContent = 'clicked';
    void this.callRemote('record', 'click');
    return false;
  }

  /** Sends `count` numbered calls as fast as possible and resolves with the answers. */
  async burst(from: number, count: number): Promise<unknown[]> {
    const calls = [];
    for (let i = from; i < from + count; i++) calls.push(this.callRemote('record', i));
    return Promise.all(calls);
  }

  async tryCall(name: string, ...args: unknown[]): Promise<string> {
    try {
      return `ok ${JSON.stringify(await this.callRemote(name, ...args))}`;
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  }

  override detached(): void {
    this.detachedCount++;
  }
}
