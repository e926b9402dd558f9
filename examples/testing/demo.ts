/**
 * Runs a heartbeat client against its server for two simulated minutes, in memory, in a few milliseconds:
 * `node -C torsion-source --import tsx examples/testing/demo.ts`. The server goes quiet after 40 seconds; the client notices
 * 30 seconds later and hangs up.
 */
import { Clock, connectedServerAndClient } from 'torsion/testing';
import { HeartbeatClient, HeartbeatServer } from './heartbeat.js';

const clock = new Clock();
const { server, client, pump } = connectedServerAndClient(new HeartbeatServer(), new HeartbeatClient(clock, 10, 30));
const transcript: string[] = [];
const say = (text: string) => transcript.push(`t=${String(clock.seconds()).padStart(3)}s  ${text}`);

const lineReceived = { server: server.lineReceived.bind(server), client: client.lineReceived.bind(client) };
server.lineReceived = (line) => {
  say(`server <- ${new TextDecoder().decode(line)}`);
  lineReceived.server(line);
};
client.lineReceived = (line) => {
  say(`client <- ${new TextDecoder().decode(line)}`);
  lineReceived.client(line);
};
const connectionLost = client.connectionLost.bind(client);
client.connectionLost = (reason) => {
  say(`client: connection closed (${reason.value.name})`);
  connectionLost(reason);
};

for (let second = 0; second < 120 && client.connected; second++) {
  if (second === 40) {
    server.answering = false;
    say('server stops answering');
  }
  clock.advance(1);
  pump.flush();
}
console.log(transcript.join('\n'));
