/**
 * The web server's loggers: errors under `torsion.web.server`, the access log under `torsion.web.access`.
 * @module
 */
import { Logger } from '../logger/index.js';

/** Errors while rendering, bad input from clients, timeouts. */
export const webLog = new Logger({ namespace: 'torsion.web.server' });

/** One event per response, formatted in the combined log format. */
export const accessLog = new Logger({ namespace: 'torsion.web.access' });
