/**
 * `torsion/bus`: publish/subscribe and presence between processes and machines. In memory for one process
 * ({@link MemoryBusHub}), or through Redis ({@link connectRedisBus}, needs the npm package `ioredis`).
 * @module
 */
export type { BusEnvelope, BusHandler, BusSubscription, IBus } from './interfaces.js';
export { BUS_LIMITS, type BusLimits } from './limits.js';
export { BusClosedError, BusConnectError, BusMessageError, BusNameError, BusRedisNotInstalledError } from './errors.js';
export { MemoryBus, MemoryBusHub } from './memory.js';
export { RedisBus, connectRedisBus, loadIoredis, type RedisBusOptions } from './redis.js';
export { WorkerBus, WorkerBusHost, type PrimaryLink, type WorkerLink } from './workers.js';
