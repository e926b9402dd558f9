// The commands both ends agree on; calculator.py declares the same ones for Python Twisted.
import { Command, Integer, ListOf, Unicode } from 'torsion/amp';

export class DivideByZero extends Error {}

export const Divide = Command.define({
  name: 'Divide',
  arguments: { numerator: new Integer(), denominator: new Integer() },
  response: { result: new Integer() },
  errors: [[DivideByZero, 'ZERO_DIVISION']],
});

export const Sum = Command.define({ name: 'Sum', arguments: { values: new ListOf(new Integer()) }, response: { total: new Integer() } });

export const Greet = Command.define({ name: 'Greet', arguments: { name: new Unicode() }, response: { greeting: new Unicode() } });
