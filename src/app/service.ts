/**
 * `Service` and `MultiService` (Twisted's `application/service.py`): things started and stopped with the
 * application, in a tree.
 * @module
 */
import { Deferred, DeferredList, Failure, maybeDeferred } from '../defer/index.js';
import type { IService, IServiceCollection, MaybeAsync } from './interfaces.js';
import { TorsionError } from '../errors/index.js';

/** Adding a service whose name a sibling already has. */
export class DuplicateServiceNameError extends TorsionError {
  override readonly code = 'TORSION_DUPLICATE_SERVICE_NAME';
  override name = 'DuplicateServiceNameError';
}

/** `getServiceNamed` for a name no child has. */
export class ServiceNotFoundError extends TorsionError {
  override readonly code = 'TORSION_SERVICE_NOT_FOUND';
  override name = 'ServiceNotFoundError';
}

/**
 * The base service: tracks `running`, `name` and `parent`. Subclasses override `startService` and
 * `stopService` (calling `super`), returning a Deferred or promise when stopping takes time.
 *
 * @example
 * class Ticker extends Service {
 *   override startService() { super.startService(); this.call = reactor.callLater(1, tick); }
 *   override stopService() { this.call.cancel(); return super.stopService(); }
 * }
 */
export class Service implements IService {
  name: string | null = null;
  parent: IServiceCollection | null = null;
  running = false;

  constructor(name?: string) {
    if (name !== undefined) this.name = name;
  }

  /** Renames it; not allowed once it has a parent (the parent indexes children by name). */
  setName(name: string): void {
    if (this.parent !== null) throw new Error('cannot change the name of a service that has a parent');
    this.name = name;
  }

  /** Adds it to `parent` (leaving any previous parent), started at once if the parent is running. */
  setServiceParent(parent: IServiceCollection): MaybeAsync {
    if (this.parent !== null) this.disownServiceParent();
    this.parent = parent;
    return parent.addService(this);
  }

  /** Removes it from its parent, stopping it if the parent was running; returns what `stopService` did. */
  disownServiceParent(): MaybeAsync {
    const parent = this.parent;
    if (parent === null) return;
    const result = parent.removeService(this);
    this.parent = null;
    return result;
  }

  privilegedStartService(): MaybeAsync {}

  startService(): MaybeAsync {
    this.running = true;
  }

  stopService(): MaybeAsync {
    this.running = false;
  }
}

/**
 * A service of services. Starting it starts the children in the order they were added, stopping it stops
 * them in reverse order (all at once, as Twisted does) and fires once every child's stop has finished.
 * `startService` likewise waits for children whose start is asynchronous (listening on a port), and fails
 * if one of them fails, so a command can report a port it could not bind.
 */
export class MultiService extends Service implements IServiceCollection {
  readonly #services: IService[] = [];
  readonly #named = new Map<string, IService>();

  [Symbol.iterator](): Iterator<IService> {
    return this.#services[Symbol.iterator]();
  }

  /** The children, in order. */
  get services(): readonly IService[] {
    return this.#services;
  }

  getServiceNamed(name: string): IService {
    const s = this.#named.get(name);
    if (s === undefined) throw new ServiceNotFoundError(`no child service named ${JSON.stringify(name)}`);
    return s;
  }

  addService(service: IService): MaybeAsync {
    if (service.name !== null) {
      if (this.#named.has(service.name)) throw new DuplicateServiceNameError(`a child service is already named ${JSON.stringify(service.name)}`);
      this.#named.set(service.name, service);
    }
    this.#services.push(service);
    service.parent = this;
    if (this.running) {
      return maybeDeferred(() => service.privilegedStartService()).addCallback(() => service.startService());
    }
  }

  removeService(service: IService): MaybeAsync {
    const i = this.#services.indexOf(service);
    if (i < 0) return;
    this.#services.splice(i, 1);
    if (service.name !== null) this.#named.delete(service.name);
    if (this.running) return service.stopService();
  }

  override privilegedStartService(): MaybeAsync {
    return all(this.#services.map((s) => maybeDeferred(() => s.privilegedStartService())));
  }

  override startService(): MaybeAsync {
    super.startService();
    return all(this.#services.map((s) => maybeDeferred(() => s.startService())));
  }

  override stopService(): MaybeAsync {
    super.stopService();
    return all([...this.#services].reverse().map((s) => maybeDeferred(() => s.stopService())));
  }
}

/** Waits for every Deferred; then fails with the first failure, if any, else fires with nothing. */
function all(ds: Deferred<unknown>[]): Deferred<unknown> {
  return new DeferredList(ds, { consumeErrors: true }).addCallback((results) => {
    for (const [ok, value] of results) if (!ok) return value as Failure;
    return undefined;
  });
}
