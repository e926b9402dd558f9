/**
 * `torsion/testing/conformance`: the stream-transport conformance suite, for anyone writing a transport.
 * It registers its tests with `node:test` (`describe`/`test`), so it has a subpath of its own:
 * `torsion/testing` itself loads no test runner.
 *
 * @example
 * import { streamTransportConformance } from 'torsion/testing/conformance';
 * streamTransportConformance('my transport', makeMyPair);
 * @module
 */
export { streamTransportConformance, type MakePair, type PairHandle, type SuiteFeatures } from './stream-transport-suite.js';
export type { CapabilityFeatures } from './capability-suite.js';
export { RecordingProtocol, HalfCloseRecordingProtocol, type ConformanceTransport } from './recording-protocol.js';
