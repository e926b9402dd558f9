/**
 * The reactor's thread pool, from `torsion/threads`.
 * @module
 */
export function threadPoolOf(_reactor: unknown, _size: number | undefined): unknown {
  throw new Error('reactor.getThreadPool: not implemented yet (waiting for src/threads)');
}

export function suggestPoolSize(_size: number): void {}
