/**
 * The UTF-8 bytes of `JSON.stringify(value)`, serialised piece by piece down to `depth` levels of plain objects
 * and arrays, each piece encoded on its own.
 *
 * Why: one Chinese character makes V8 hold the whole JSON text as a two-byte string, and encoding that to UTF-8
 * walks it character by character. A city-wide regularity report is 17 MB of JSON whose bulk (the month cells)
 * is ASCII while each branch's name is Chinese: as one string it took ~130 ms to stringify and ~70 ms to encode;
 * in pieces the ASCII ones are one-byte strings, copied as they are (~110 ms for both, measured on the benchmark
 * city's report), and no 34 MB string is ever held.
 */
export function jsonBytes(value: object, depth = 3): Buffer {
  const pieces: Buffer[] = [];
  write(value, depth, pieces);
  return Buffer.concat(pieces);
}

const OPEN_ARRAY = Buffer.from('[');
const CLOSE_ARRAY = Buffer.from(']');
const OPEN_OBJECT = Buffer.from('{');
const CLOSE_OBJECT = Buffer.from('}');
const COMMA = Buffer.from(',');
const NULL = Buffer.from('null');

/** What JSON.stringify leaves out of an object, and writes as `null` in an array. */
const omitted = (v: unknown): boolean =>
  v === undefined || typeof v === 'function' || typeof v === 'symbol';

function write(value: unknown, depth: number, pieces: Buffer[]): void {
  const splittable =
    depth > 0 &&
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function';
  if (!splittable) {
    pieces.push(Buffer.from(JSON.stringify(value)));
    return;
  }
  if (Array.isArray(value)) {
    pieces.push(OPEN_ARRAY);
    value.forEach((item: unknown, i) => {
      if (i > 0) {
        pieces.push(COMMA);
      }
      if (omitted(item)) {
        pieces.push(NULL);
      } else {
        write(item, depth - 1, pieces);
      }
    });
    pieces.push(CLOSE_ARRAY);
    return;
  }
  pieces.push(OPEN_OBJECT);
  let first = true;
  for (const [key, item] of Object.entries(value)) {
    if (omitted(item)) {
      continue;
    }
    pieces.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(key)}:`));
    first = false;
    write(item, depth - 1, pieces);
  }
  pieces.push(CLOSE_OBJECT);
}
