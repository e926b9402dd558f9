import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Factory, reactor, type IListeningPort, type IPv4Address } from '../internet/index.js';
import { connectProtocol, TCPClientEndpoint } from '../internet/endpoints/index.js';
import { requirePeer, startPeerProgram, type PeerProgram } from '../testing/index.js';
import { AMP } from './index.js';
import { UnhandledCommandError, UnknownRemoteError } from './errors.js';
import { AllTypes, Boom, Divide, Nope, ZeroDivision } from './test-support/commands.js';

const script = fileURLToPath(new URL('./test-support/twisted_amp.py', import.meta.url));

describe('AMP against Python Twisted (python3-twisted)', { timeout: 60_000 }, () => {
  let python: string;
  before(() => {
    python = requirePeer('/usr/bin/python3', 'python3-twisted');
  });

  describe('Torsion calling a Twisted server', () => {
    let peer: PeerProgram;
    before(async () => {
      peer = await startPeerProgram({ executable: python, name: 'twisted amp', args: (port) => [script, 'server', String(port)], ready: /listening on/ });
    });
    after(async () => {
      await peer?.stop();
    });

    const connect = () => connectProtocol(new TCPClientEndpoint(reactor, '127.0.0.1', peer.port), new AMP());

    test('every argument type round-trips, and Python decodes each to its own type', async () => {
      const amp = await connect();
      const sent = {
        i: -7,
        big: 2n ** 70n,
        s: Uint8Array.from({ length: 256 }, (_, i) => i),
        u: 'héllo ☃ 😀',
        b: false,
        fl: 0.1,
        fnan: NaN,
        finf: Infinity,
        d: '-1.5E+2',
        dt: new Date('2024-02-29T23:59:58.123Z'),
        li: [1, -2, 2n ** 64n],
        lu: ['a', '', 'ü'],
        al: [{ x: 1, y: 'one' }, { x: 2, y: 'two' }],
        opt: 'here',
      };
      const got = await amp.callRemote(AllTypes, sent);
      const { seen, ...echoed } = got;
      assert.deepEqual(echoed, sent);
      assert.equal(
        seen,
        'al:list,b:bool,big:int,d:Decimal,dt:datetime,finf:float,fl:float,fnan:float,i:int,li:list,lu:list,opt:str,s:bytes,u:str|dt=2024-02-29T23:59:58.123000+00:00|d=-1.5E+2',
      );
      const without = await amp.callRemote(AllTypes, { ...sent, opt: undefined as unknown as string });
      assert.equal(without.opt, undefined);
      amp.transport.loseConnection();
    });

    test('declared error, UNHANDLED, and UNKNOWN (after which Twisted closes)', async () => {
      const amp = await connect();
      assert.deepEqual(await amp.callRemote(Divide, { numerator: 7, denominator: 2 }), { result: 3 });
      await assert.rejects(amp.callRemote(Divide, { numerator: 1, denominator: 0 }).asPromise(), ZeroDivision);
      await assert.rejects(amp.callRemote(Nope, {}).asPromise(), (e: unknown) => e instanceof UnhandledCommandError && e.code === 'TORSION_AMP_UNHANDLED');
      const lost = new Promise<void>((resolve) => {
        const original = amp.connectionLost.bind(amp);
        amp.connectionLost = (reason) => {
          original(reason);
          resolve();
        };
      });
      await assert.rejects(amp.callRemote(Boom, {}).asPromise(), (e: unknown) => e instanceof UnknownRemoteError && e.code === 'TORSION_AMP_UNKNOWN');
      await lost;
    });
  });

  describe('Twisted calling a Torsion server', () => {
    let port: IListeningPort;
    const received: Array<Record<string, unknown>> = [];
    before(() => {
      const factory = new Factory<AMP>();
      factory.buildProtocol = () =>
        new AMP()
          .addResponder(AllTypes, (values) => {
            received.push(values);
            return { ...values, seen: 'torsion' };
          })
          .addResponder(Divide, ({ numerator, denominator }) => {
            if (Number(denominator) === 0) throw new ZeroDivision('integer division by zero');
            return { result: Math.floor(Number(numerator) / Number(denominator)) };
          })
          .addResponder(Boom, () => {
            throw new Error('undeclared');
          });
      port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
    });
    after(async () => {
      await port?.stopListening();
    });

    test('every type, the declared error, UNHANDLED and UNKNOWN as Twisted expects them', async () => {
      const output = await new Promise<string>((resolve, reject) => {
        execFile(python, [script, 'client', String((port.getHost() as IPv4Address).port)], { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
      });
      const result = JSON.parse(output.trim().split('\n').pop()!) as Record<string, unknown>;
      assert.deepEqual(result, {
        alltypes: 'ok',
        seen: 'torsion',
        opt: 'None',
        divide: 3,
        zero: 'ZeroDivisionError: integer division by zero',
        nope: 'UnhandledCommand',
        boom: 'UnknownRemoteError',
      });
      const v = received[0]!;
      assert.equal(v.big, 2n ** 70n);
      assert.equal(v.i, -7);
      assert.equal(v.d, '1.10');
      assert.equal((v.dt as Date).toISOString(), '2024-02-29T18:29:58.123Z');
      assert.ok(v.s instanceof Uint8Array && v.s.length === 256);
      assert.ok(Number.isNaN(v.fnan));
      assert.equal(v.finf, -Infinity);
      assert.deepEqual(v.li, [1, -2, 2n ** 64n]);
      assert.ok(!('opt' in v));
    });
  });
});
