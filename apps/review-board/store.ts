/**
 * Where labels live: a table in `torsion/db` (SQLite in the data folder), one row per tile and reviewer.
 * @module
 */
import { ConnectionPool } from 'torsion/db';
import type { TissueClass } from './tiles.js';

/** One reviewer's current label of one tile. */
export interface LabelRow {
  tile: number;
  reviewer: string;
  label: TissueClass;
  /** When it was given, ISO 8601. */
  time: string;
}

/** What the board needs of a label store (tests give it one in memory). */
export interface LabelStorage {
  all(): Promise<LabelRow[]>;
  put(row: LabelRow): Promise<void>;
  close(): Promise<void>;
}

export class LabelStore implements LabelStorage {
  private constructor(private readonly pool: ConnectionPool) {}

  /** Opens (creating if needed) the label table in the SQLite file `filename`. */
  static async open(filename: string): Promise<LabelStore> {
    const pool = new ConnectionPool('sqlite', { filename, min: 1, max: 1 });
    await pool.runOperation(
      'CREATE TABLE IF NOT EXISTS labels (tile INTEGER NOT NULL, reviewer TEXT NOT NULL, label TEXT NOT NULL, time TEXT NOT NULL, PRIMARY KEY (tile, reviewer))',
    );
    return new LabelStore(pool);
  }

  /** Every label, oldest first. */
  async all(): Promise<LabelRow[]> {
    return this.pool.runQuery<LabelRow>('SELECT tile, reviewer, label, time FROM labels ORDER BY time, tile, reviewer');
  }

  /** Sets (or replaces) a reviewer's label of a tile. */
  async put(row: LabelRow): Promise<void> {
    await this.pool.runOperation(
      'INSERT INTO labels (tile, reviewer, label, time) VALUES (?, ?, ?, ?) ON CONFLICT (tile, reviewer) DO UPDATE SET label = excluded.label, time = excluded.time',
      [row.tile, row.reviewer, row.label, row.time],
    );
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
