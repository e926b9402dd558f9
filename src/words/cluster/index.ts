/**
 * A words service across several processes or machines, on `torsion/bus`.
 * @module
 */
export { WordsCluster, type ClusterLimits, type WordsClusterOptions } from './cluster.js';
export { RoomOrder, type RoomOrderLimits } from './room-order.js';
export { ClusterPolls, pollChannel, type ClusterPollLimits, type ClusterPollsOptions } from './live-polls.js';
