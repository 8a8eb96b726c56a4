import { Foundation1763770000000 } from './1763770000000-foundation';

/** Every migration, in order. Append new ones; never edit one that has landed. */
export const migrations = [Foundation1763770000000];
