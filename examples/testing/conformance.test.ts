// The stream-transport conformance suite, as the author of a new transport runs it: give it a function
// that connects two protocols over the transport. Here the transport is torsion/testing's in-memory
// loopback; for yours, connect `server` and `client` over it instead and say how to let bytes move.
import { connectedServerAndClient, eventually } from 'torsion/testing';
import { streamTransportConformance, type MakePair } from 'torsion/testing/conformance';

const loopback: MakePair = async (server, client) => {
  const { pump } = connectedServerAndClient(server, client);
  // What the suite calls between its checks: here a pump of the loopback; over sockets, a turn of the event loop.
  const settle = () => pump.settle();
  await eventually(() => (server as { connected?: boolean }).connected && (client as { connected?: boolean }).connected, { step: settle });
  return { settle, cleanup: async () => {} };
};

// The third argument says what the transport cannot do: the loopback has no system calls, so `cork` holds
// nothing back (a pump moves whatever was written). A socket-based transport leaves it out.
streamTransportConformance('the in-memory loopback, from the public kit', loopback, { corkHolds: false });
