// An AMP client: `node -C torsion-source --import tsx examples/amp/client.ts [endpoint]`
// (default tcp:127.0.0.1:7001). Works against server.ts or `python3 calculator.py server 7001`.
import { AMP } from 'torsion/amp';
import { clientFromString, connectProtocol, reactor } from 'torsion/internet';
import { Divide, DivideByZero, Greet, Sum } from './commands.js';

const description = process.argv[2] ?? 'tcp:127.0.0.1:7001';
reactor.callWhenRunning(async () => {
  try {
    const amp = await connectProtocol(clientFromString(reactor, description), new AMP());
    console.log(`7 / 2 = ${(await amp.callRemote(Divide, { numerator: 7, denominator: 2 })).result}`);
    try {
      await amp.callRemote(Divide, { numerator: 1, denominator: 0 });
    } catch (e) {
      if (e instanceof DivideByZero) console.log(`1 / 0 failed: ${e.message}`);
      else throw e;
    }
    console.log(`sum = ${(await amp.callRemote(Sum, { values: [1, 2, 2n ** 64n] })).total}`);
    console.log((await amp.callRemote(Greet, { name: 'Ada' })).greeting);
    amp.transport.loseConnection();
  } catch (e) {
    console.error(`failed: ${(e as Error).message}`);
    process.exitCode = 1;
  }
  reactor.stop();
});
await reactor.run();
