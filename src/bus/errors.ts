/**
 * The errors of `torsion/bus`.
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** The bus was used after `close()`. */
export class BusClosedError extends TorsionError {
  override readonly code = 'TORSION_BUS_CLOSED';
  override name = 'BusClosedError';
  constructor(message = 'the bus is closed') {
    super(message);
  }
}

/** A channel or key name is empty or longer than `maxNameLength`. */
export class BusNameError extends TorsionError {
  override readonly code = 'TORSION_BUS_NAME';
  override name = 'BusNameError';
}

/** A message is larger than `maxMessageBytes`, or is not a JSON value. */
export class BusMessageError extends TorsionError {
  override readonly code = 'TORSION_BUS_MESSAGE';
  override name = 'BusMessageError';
}

/** The npm package `ioredis`, an optional peer dependency of torsion, is not installed. */
export class BusRedisNotInstalledError extends TorsionError {
  override readonly code = 'TORSION_BUS_REDIS_NOT_INSTALLED';
  override name = 'BusRedisNotInstalledError';
  constructor(options?: { cause?: unknown }) {
    super('the Redis bus needs the npm package "ioredis", an optional peer dependency of torsion: npm install ioredis', options);
  }
}

/** Redis could not be reached within `connectTimeout`. */
export class BusConnectError extends TorsionError {
  override readonly code = 'TORSION_BUS_CONNECT';
  override name = 'BusConnectError';
}
