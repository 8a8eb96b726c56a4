import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { EntityReadCache } from './entity-read-cache';
import { openTempSqlite } from './temp-sqlite.fixture-spec';

@Entity('things')
class Thing {
  @PrimaryColumn({ type: 'varchar' })
  id!: string;

  @Column({ type: 'varchar' })
  name!: string;
}

class ThingCache extends EntityReadCache {
  constructor(ds: DataSource) {
    super(ds, new Set([Thing]));
  }
}

/** A load that waits for `release()`, counting how often it ran. */
function gatedLoad(ds: DataSource, id: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const load = jest.fn(async () => {
    await gate;
    return ds.getRepository(Thing).findOneBy({ id });
  });
  return { load, release };
}

describe('EntityReadCache', () => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let cache: ThingCache;

  beforeEach(async () => {
    ({ ds, close } = await openTempSqlite('cadre-read-cache-', {
      entities: [Thing],
      synchronize: true,
    }));
    await ds.getRepository(Thing).insert({ id: 't1', name: 'first' });
    cache = new ThingCache(ds);
  });
  afterEach(() => close());

  it('runs one load for callers that miss the same key together, and keeps its value', async () => {
    const { load, release } = gatedLoad(ds, 't1');
    const together = Promise.all([1, 2, 3, 4, 5].map(() => cache.get('thing:t1', load)));
    release();
    const values = await together;
    expect(load).toHaveBeenCalledTimes(1);
    expect(values.map((v) => v?.name)).toEqual(['first', 'first', 'first', 'first', 'first']);
    const later = jest.fn((): Promise<Thing | null> => Promise.resolve(null));
    expect((await cache.get('thing:t1', later))?.name).toBe('first');
    expect(later).not.toHaveBeenCalled();
  });

  it('does not keep a load that began before a write emptied the cache', async () => {
    const { load, release } = gatedLoad(ds, 't1');
    const stale = cache.get('thing:t1', load);
    // The load's SELECT runs after the gate; the write lands first, so what it reads is already the new name,
    // but a load that started before the write could as well have read the old one: it must not be kept.
    await ds.getRepository(Thing).update({ id: 't1' }, { name: 'renamed' });
    release();
    await stale;
    const reload = jest.fn(() => ds.getRepository(Thing).findOneBy({ id: 't1' }));
    expect((await cache.get('thing:t1', reload))?.name).toBe('renamed');
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('starts a new load for callers arriving after a write, not the one running from before it', async () => {
    const first = gatedLoad(ds, 't1');
    const before = cache.get('thing:t1', first.load);
    await ds.getRepository(Thing).update({ id: 't1' }, { name: 'renamed' });
    const after = jest.fn(() => ds.getRepository(Thing).findOneBy({ id: 't1' }));
    expect((await cache.get('thing:t1', after))?.name).toBe('renamed');
    expect(after).toHaveBeenCalledTimes(1);
    first.release();
    await before;
  });

  it('keeps nothing for a null load and lets a failed load be tried again', async () => {
    const missing = jest.fn(() => ds.getRepository(Thing).findOneBy({ id: 'none' }));
    expect(await cache.get('thing:none', missing)).toBeNull();
    expect(await cache.get('thing:none', missing)).toBeNull();
    expect(missing).toHaveBeenCalledTimes(2);
    const failing = jest.fn(() => Promise.reject(new Error('disk')));
    await expect(cache.get('thing:t1', failing)).rejects.toThrow('disk');
    const good = jest.fn(() => ds.getRepository(Thing).findOneBy({ id: 't1' }));
    expect((await cache.get('thing:t1', good))?.name).toBe('first');
  });
});
