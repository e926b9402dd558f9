// The stream-transport conformance suite over pipes: StandardIO at both ends of two `cat`s, and a stream
// protocol over a child process (ProcessEndpoint) relaying to TCP.
import { NodeReactor } from './reactor.js';
import { streamTransportConformance } from '../testing/conformance/index.js';
import { processPair, stdioPair } from './test-support/pipe-pairs.js';

// StandardIO has no abort (a pipe cannot be reset).
streamTransportConformance('StandardIO over pipes', stdioPair(), { abort: false });
streamTransportConformance('a child process (ProcessEndpoint), relayed to TCP', processPair(new NodeReactor()));
