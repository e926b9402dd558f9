// An AMP calculator server: `node -C torsion-source --import tsx examples/amp/server.ts [endpoint]`
// (default tcp:7001:interface=127.0.0.1). Python Twisted clients can call it too: see calculator.py.
import { AMP, responder } from 'torsion/amp';
import { Factory, reactor, serverFromString, type IPv4Address } from 'torsion/internet';
import { Divide, DivideByZero, Greet, Sum } from './commands.js';

class Calculator extends AMP {
  @responder(Divide)
  divide({ numerator, denominator }: { numerator: number | bigint; denominator: number | bigint }) {
    if (BigInt(denominator) === 0n) throw new DivideByZero('integer division by zero');
    return { result: BigInt(numerator) / BigInt(denominator) };
  }

  @responder(Sum)
  sum({ values }: { values: Array<number | bigint> }) {
    return { total: values.reduce<bigint>((a, b) => a + BigInt(b), 0n) };
  }

  @responder(Greet)
  async greet({ name }: { name: string }) {
    return { greeting: `Hello, ${name}!` };
  }
}

const description = process.argv[2] ?? 'tcp:7001:interface=127.0.0.1';
const port = await serverFromString(reactor, description).listen(Factory.forProtocol(Calculator));
const host = port.getHost() as IPv4Address;
console.log(`amp calculator on ${host.host}:${host.port}`);
await reactor.run();
