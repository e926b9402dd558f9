// The pool on a real PostgreSQL server (Debian's `postgresql` package), started for this file in a
// temporary directory on loopback and stopped afterwards: the same suite as SQLite.
import { after } from 'node:test';
import { connectionPoolSuite } from './test-support/pool-suite.js';
import { postgres, started, stopPostgres } from './test-support/pg-fixture.js';

after(stopPostgres);

connectionPoolSuite(
  'pg',
  async () => {
    await started();
    return postgres;
  },
  async () => {},
);
