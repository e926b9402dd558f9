import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AmpList, Boolean, DateTime, Decimal, Float, Integer, ListOf, String, Unicode, boxToObjects, objectsToBox } from './arguments.js';
import { AMPArgumentError } from './errors.js';
import { AMP_LIMITS } from './limits.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const enc = (s: string) => new TextEncoder().encode(s);

describe('AMP argument types', () => {
  test('Integer: decimal text, bigint beyond 2^53 both ways', () => {
    const i = new Integer();
    assert.equal(text(i.toWire(-42)), '-42');
    assert.equal(text(i.toWire(2n ** 70n)), '1180591620717411303424');
    assert.equal(i.fromWire(enc('9007199254740991')), 9007199254740991);
    assert.equal(i.fromWire(enc('9007199254740993')), 9007199254740993n);
    assert.throws(() => i.fromWire(enc('1.5')), AMPArgumentError);
    assert.throws(() => i.toWire(1.5), AMPArgumentError);
  });

  test('String, Unicode, Boolean', () => {
    assert.deepEqual(new String().fromWire(new Uint8Array([0, 255])), new Uint8Array([0, 255]));
    assert.equal(text(new Unicode().toWire('héllo ☃')), 'héllo ☃');
    assert.throws(() => new Unicode().fromWire(new Uint8Array([0xff])), AMPArgumentError);
    assert.equal(text(new Boolean().toWire(true)), 'True');
    assert.equal(new Boolean().fromWire(enc('False')), false);
    assert.throws(() => new Boolean().fromWire(enc('true')), AMPArgumentError);
  });

  test('Float: Python spellings, nan and inf', () => {
    const f = new Float();
    assert.equal(text(f.toWire(1)), '1.0');
    assert.equal(text(f.toWire(NaN)), 'nan');
    assert.equal(text(f.toWire(-Infinity)), '-inf');
    assert.equal(text(f.toWire(1e100)), '1e+100');
    assert.ok(Number.isNaN(f.fromWire(enc('nan'))));
    assert.equal(f.fromWire(enc('inf')), Infinity);
    assert.equal(f.fromWire(enc('2.5e-3')), 0.0025);
    assert.throws(() => f.fromWire(enc('0x10')), AMPArgumentError);
  });

  test('Decimal keeps the exact text', () => {
    const d = new Decimal();
    assert.equal(d.fromWire(enc('1.10')), '1.10');
    assert.equal(text(d.toWire('-1.5E+2')), '-1.5E+2');
    assert.equal(d.fromWire(enc('sNaN')), 'sNaN');
    assert.throws(() => d.toWire('1,5'), AMPArgumentError);
  });

  test('DateTime: 32 characters, offsets honoured', () => {
    const dt = new DateTime();
    const wire = text(dt.toWire(new Date(Date.UTC(2012, 0, 23, 12, 34, 56, 54))));
    assert.equal(wire, '2012-01-23T12:34:56.054000-00:00');
    assert.equal(wire.length, 32);
    assert.equal(dt.fromWire(enc('2012-01-23T12:34:56.054321-01:23')).toISOString(), '2012-01-23T13:57:56.054Z');
    assert.equal(dt.fromWire(enc('0001-01-01T00:00:00.000000+00:00')).getUTCFullYear(), 1);
    assert.throws(() => dt.fromWire(enc('2012-02-30T00:00:00.000000+00:00')), AMPArgumentError);
    assert.throws(() => dt.fromWire(enc('2012-01-23T12:34:56+00:00')), AMPArgumentError);
  });

  test('ListOf: 16-bit length-prefixed elements', () => {
    const l = new ListOf(new Integer());
    assert.deepEqual([...l.toWire([3, 70])], [0, 1, 51, 0, 2, 55, 48]);
    assert.deepEqual(l.fromWire(l.toWire([1, -2, 2n ** 64n])), [1, -2, 2n ** 64n]);
    assert.throws(() => l.fromWire(new Uint8Array([0, 5, 49])), AMPArgumentError);
  });

  test('AmpList: an array of objects as boxes, nesting bounded', () => {
    const l = new AmpList([['x', new Integer()], ['y', new Unicode({ optional: true })]]);
    const items = [{ x: 1, y: 'a' }, { x: 2 }];
    assert.deepEqual(l.fromWire(l.toWire(items)), items);
    let nested: AmpList = l;
    let value: unknown[] = items;
    for (let i = 0; i < AMP_LIMITS.maxNesting; i++) {
      nested = new AmpList([['inner', nested]]);
      value = [{ inner: value }];
    }
    assert.throws(() => nested.fromWire(nested.toWire(value as Array<Record<string, unknown>>)), /nested deeper/);
  });

  test('boxes: required arguments missing are refused, optional ones left out', () => {
    const schema = [['a', new Integer()], ['b', new Unicode({ optional: true })]] as const;
    assert.deepEqual(boxToObjects(objectsToBox({ a: 1 }, schema), schema), { a: 1 });
    assert.throws(() => objectsToBox({ b: 'x' }, schema), AMPArgumentError);
    assert.throws(() => boxToObjects(new Map(), schema), AMPArgumentError);
  });
});
