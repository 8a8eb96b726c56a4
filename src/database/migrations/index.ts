import { readdirSync } from 'node:fs';
import { MigrationInterface } from 'typeorm';

type MigrationClass = new () => MigrationInterface;

/**
 * Every migration file of this folder (`<timestamp>-<name>.ts`, one class each), in timestamp order, so modules
 * add migrations without editing a shared list. Never edit a migration after it has landed; add a new one.
 */
export const migrations: MigrationClass[] = readdirSync(__dirname)
  .filter((f) => /^\d{13}-[a-z0-9-]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
  .sort()
  .flatMap((f) =>
    // Loading by file name is the point here: the folder is the list.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Object.values(require(`./${f.replace(/\.(ts|js)$/, '')}`) as Record<string, MigrationClass>),
  );
