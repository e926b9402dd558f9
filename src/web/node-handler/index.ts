/**
 * Mounting both ways: a Torsion site inside a Node server ({@link toNodeHandler}) and a Node handler inside a
 * Torsion site ({@link NodeHandlerResource}).
 * @module
 */
export { toNodeHandler, type NodeHandler, type NodeHandlerOptions } from './to-node-handler.js';
export { NODE_HANDLER_LIMITS } from './limits.js';
export { NodeHandlerResource, type NodeHandlerResourceOptions, type NodeRequestListener, type NodeHandlerLimits } from './node-handler-resource.js';
