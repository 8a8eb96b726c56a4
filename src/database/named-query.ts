import { Driver, EntityManager, QueryResult } from 'typeorm';

/** A `:name` or `:...list` parameter, as TypeORM's drivers find them. */
const PARAMETER = /:(\.\.\.)?([A-Za-z0-9_.]+)/g;

/** SQL texts split at their parameters, kept for the next call with the same text (see `expandNamed`). */
interface Template {
  /** The text around the parameters: one more than `refs`. */
  parts: string[];
  refs: Array<{ key: string; spread: boolean; text: string }>;
}
const templates = new Map<string, Template>();
/** Texts kept at most (the oldest goes first) and the longest kept: batch statements vary and are rare. */
const TEMPLATES = 500;
const LONGEST_TEMPLATE = 8000;

/**
 * SQL with `:name` / `:...list` parameters as the driver's SQL and values. TypeORM's SQLite drivers write numbers
 * into the text itself; here they are bound like any value, so a statement's text does not change with its
 * numbers and its prepared statement is kept (see withStatementCache).
 *
 * On SQLite the text is split at its parameters once and then only filled in: every request's session and page
 * lookups come here, and two regular-expression passes over each text (ours for the numbers, then the driver's)
 * cost 1.76 µs per lookup against 0.26 (300,000 calls; about 1% of a lesson page's CPU). Dates and functions,
 * which the driver writes in its own way, take the driver's path.
 */
export function expandNamed(
  driver: Driver,
  sql: string,
  params: Record<string, unknown>,
): [string, unknown[]] {
  const type = driver.options.type;
  if (type === 'postgres') {
    return driver.escapeQueryWithParameters(sql, params, {});
  }
  const plain = Object.values(params).every((v) => !(v instanceof Date) && typeof v !== 'function');
  if ((type === 'sqlite' || type === 'better-sqlite3') && plain) {
    return fill(template(sql), params);
  }
  const bound: Record<string, unknown> = { ...params };
  const text = sql.replace(PARAMETER, (whole, spread: string | undefined, key: string) => {
    if (spread || typeof params[key] !== 'number') {
      return whole;
    }
    bound[key] = [params[key]];
    return `:...${key}`;
  });
  return driver.escapeQueryWithParameters(text, bound, {});
}

function template(sql: string): Template {
  const known = templates.get(sql);
  if (known) {
    return known;
  }
  const parts: string[] = [];
  const refs: Template['refs'] = [];
  let last = 0;
  for (const match of sql.matchAll(PARAMETER)) {
    parts.push(sql.slice(last, match.index));
    refs.push({ key: match[2], spread: match[1] !== undefined, text: match[0] });
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(sql.slice(last));
  const made = { parts, refs };
  if (sql.length <= LONGEST_TEMPLATE) {
    if (templates.size >= TEMPLATES) {
      templates.delete(templates.keys().next().value as string);
    }
    templates.set(sql, made);
  }
  return made;
}

/** As the SQLite drivers expand parameters (a number bound, a boolean as 0 or 1, a missing name left as written). */
function fill({ parts, refs }: Template, params: Record<string, unknown>): [string, unknown[]] {
  const values: unknown[] = [];
  let text = parts[0];
  refs.forEach((ref, i) => {
    let placeholder = ref.text;
    if (Object.prototype.hasOwnProperty.call(params, ref.key)) {
      const value = params[ref.key];
      if (ref.spread) {
        const list = value as unknown[];
        values.push(...list);
        placeholder = list.map(() => '?').join(', ');
      } else {
        values.push(typeof value === 'boolean' ? +value : value);
        placeholder = '?';
      }
    }
    text += placeholder + parts[i + 1];
  });
  return [text, values];
}

/**
 * Values bound by position, each placeholder written as it is added (`?` on SQLite, `$n` on PostgreSQL), for
 * batch statements of hundreds of rows. Written with `:name`s, such a statement's expansion (a pass over tens of
 * kilobytes of text looking up thousands of names) held the event loop ~6 ms per 500 rows of lesson views:
 * measured on the benchmark city, where each half second's flush of ~1,750 views blocked every page four times.
 */
export class PositionalValues {
  readonly values: unknown[] = [];
  private readonly dollar: boolean;

  constructor(driver: Driver) {
    this.dollar = driver.options.type === 'postgres';
  }

  /** The placeholder of the value, bound as it is (instants as ISO strings, as with `namedQuery`). */
  add(value: unknown): string {
    this.values.push(value);
    return this.dollar ? `$${this.values.length}` : '?';
  }
}

/**
 * Runs SQL written with `:name` / `:...list` parameters on the manager (inside its transaction when it has one),
 * without the query builder: for hot statements whose building cost more than running them. Pass instants as
 * ISO strings (how instant columns store them): the SQLite driver would write a Date in its own format.
 */
export function namedQuery<T = unknown>(
  m: EntityManager,
  sql: string,
  params: Record<string, unknown>,
): Promise<T> {
  const [text, values] = expandNamed(m.connection.driver, sql, params);
  return m.query(text, values);
}

/** `namedQuery` for a write, answering how many rows it changed (inside the manager's transaction when it has one). */
export async function namedWrite(
  m: EntityManager,
  sql: string,
  params: Record<string, unknown>,
): Promise<number> {
  const [text, values] = expandNamed(m.connection.driver, sql, params);
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const result: QueryResult = await runner.query(text, values, true);
    return result.affected ?? 0;
  } finally {
    if (runner !== m.queryRunner) {
      await runner.release();
    }
  }
}
