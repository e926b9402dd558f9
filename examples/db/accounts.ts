/**
 * A bank ledger on SQLite, with every query run in a worker:
 *   node -C torsion-source --import tsx examples/db/accounts.ts [database-file]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionPool, DatabaseError, type Transaction } from 'torsion/db';

const dir = process.argv[2] ? undefined : mkdtempSync(join(tmpdir(), 'torsion-accounts-'));
const filename = process.argv[2] ?? join(dir!, 'bank.sqlite');
const pool = new ConnectionPool('sqlite', { filename, min: 1, max: 3 });

class InsufficientFunds extends Error {}

/** Moves money in one transaction: both updates happen, or neither does. */
async function transfer(txn: Transaction, from: string, to: string, amount: number): Promise<number> {
  const [account] = await txn.query<{ balance: number }>('SELECT balance FROM accounts WHERE owner = ?', [from]);
  if (account.balance < amount) throw new InsufficientFunds(`${from} has ${account.balance}, needs ${amount}`);
  await txn.execute('UPDATE accounts SET balance = balance - ? WHERE owner = ?', [amount, from]);
  await txn.execute('UPDATE accounts SET balance = balance + ? WHERE owner = ?', [amount, to]);
  return account.balance - amount;
}

async function balances(): Promise<string> {
  const rows = await pool.runQuery<{ owner: string; balance: number }>('SELECT owner, balance FROM accounts ORDER BY owner');
  return rows.map((r) => `${r.owner}=${r.balance}`).join(' ');
}

try {
  await pool.runOperation('CREATE TABLE accounts (owner TEXT PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))');
  const { changes } = await pool.runOperation('INSERT INTO accounts (owner, balance) VALUES (?, ?), (?, ?)', ['alice', 100, 'bob', 20]);
  console.log(`opened ${changes} accounts: ${await balances()}`);

  const left = await pool.runInteraction(transfer, 'alice', 'bob', 30);
  console.log(`alice -> bob 30: committed, alice has ${left} left: ${await balances()}`);

  await pool.runInteraction(transfer, 'bob', 'alice', 500).addErrback((f) => {
    f.trap(InsufficientFunds);
    console.log(`bob -> alice 500: rolled back (${f.getErrorMessage()})`);
  });
  console.log(`after the rollback: ${await balances()}`);

  await pool.runOperation('INSERT INTO accounts (owner, balance) VALUES (?, ?)', ['alice', 1]).addErrback((f) => {
    f.trap(DatabaseError);
    console.log(`duplicate account refused: ${(f.value as DatabaseError).driverCode}`);
  });
} finally {
  await pool.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
