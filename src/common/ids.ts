import { v7 } from 'uuid';

/**
 * A new row id: a UUID of version 7, whose leading bits are the time it was made. Ids made one after another sort
 * together, so a row goes in at the right edge of its table's primary-key index instead of at a random page of it:
 * on the bench city (12 M attempt questions) an exam start's 20 rows dirtied ~3x fewer pages per commit than with
 * random (version 4) ids, measured with committed batches of starts (2.9 -> 0.9 ms per start). The time it shows is
 * the creation time every such row also stores. Secrets never come from here (see `randomBytes` for those).
 */
export function newId(): string {
  return v7();
}
