/** The commands of test-support/twisted_amp.py, defined on the Torsion side. */
import { AmpList, Boolean, Command, DateTime, Decimal, Float, Integer, ListOf, String, Unicode } from '../index.js';

export class ZeroDivision extends Error {}

export const SCHEMA = {
  i: new Integer(),
  big: new Integer(),
  s: new String(),
  u: new Unicode(),
  b: new Boolean(),
  fl: new Float(),
  fnan: new Float(),
  finf: new Float(),
  d: new Decimal(),
  dt: new DateTime(),
  li: new ListOf(new Integer()),
  lu: new ListOf(new Unicode()),
  al: new AmpList([['x', new Integer()], ['y', new Unicode()]]),
  opt: new Unicode({ optional: true }),
};

export const AllTypes = Command.define({ name: 'AllTypes', arguments: SCHEMA, response: { ...SCHEMA, seen: new Unicode() } });
export const Divide = Command.define({
  name: 'Divide',
  arguments: { numerator: new Integer(), denominator: new Integer() },
  response: { result: new Integer() },
  errors: [[ZeroDivision, 'ZERO_DIVISION']],
});
export const Boom = Command.define({ name: 'Boom' });
export const Nope = Command.define({ name: 'Nope' });
