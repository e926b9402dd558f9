/**
 * A words service across several processes or machines, on `torsion/bus`.
 * @module
 */
export { WordsCluster, type ClusterLimits, type WordsClusterOptions } from './cluster.js';
export { RoomOrder, type RoomOrderLimits } from './room-order.js';
