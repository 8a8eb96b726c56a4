/** The UTF-8 text of `JSON.stringify(value)` as consecutive chunks, and its length in bytes. */
export interface JsonChunks {
  chunks: Buffer[];
  length: number;
  /** The whole buffers the chunks are cut from, for `recycle`. */
  buffers: Buffer[];
}

/** Bytes per chunk: large enough that a city report is a handful of writes, small enough to waste little. */
const CHUNK_BYTES = 1 << 20;

/**
 * `JSON.stringify(value)` as UTF-8, serialised piece by piece down to `depth` levels of plain objects and
 * arrays, each piece encoded straight into the chunk being filled.
 *
 * Why: one Chinese character makes V8 hold the whole JSON text as a two-byte string, and encoding that to UTF-8
 * walks it character by character. A city-wide regularity report is 17 MB of JSON whose bulk (the month cells)
 * is ASCII while each branch's name is Chinese: as one string it took ~130 ms to stringify and ~70 ms to encode;
 * in pieces the ASCII ones are one-byte strings, copied as they are (~100 ms for both, measured on the benchmark
 * city's report), and no 34 MB string is ever held. Written into 1 MB chunks that responses send one after
 * another, the text is held once: encoding each piece to its own buffer and joining them held it twice (34 MB
 * outside the heap for every report computed, the largest part of the benchmark's peak memory).
 */
export function jsonChunks(value: object, depth = 3): JsonChunks {
  const out = new ChunkWriter();
  write(value, depth, out);
  return out.finish();
}

/**
 * Chunk buffers of JSON already sent, for the next. A city report's 17 MB of chunks otherwise stay in memory until
 * V8 next collects its old generation (buffers outside the heap hardly hasten that), so a report computed while
 * the last one's chunks waited held both: on the benchmark city, officers opening the city report just after
 * another held 35 MB of such buffers, the largest single step to the peak RSS. Kept ten seconds after their last
 * use, at most 32 MB; a quiet server holds none.
 */
const pool: Buffer[] = [];
const POOLED_AT_MOST = 32;
const POOL_IDLE_MS = 10_000;
let poolTimer: NodeJS.Timeout | null = null;

function takeChunk(bytes: number): Buffer {
  return bytes <= CHUNK_BYTES
    ? (pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES))
    : Buffer.allocUnsafeSlow(bytes);
}

/**
 * Gives the chunks' buffers back for the next JSON to be written into. Only once nothing will read them again:
 * every answer that streamed them has been handed to the operating system.
 */
export function recycle(json: JsonChunks): void {
  for (const buffer of json.buffers) {
    if (buffer.length === CHUNK_BYTES && pool.length < POOLED_AT_MOST) {
      pool.push(buffer);
    }
  }
  json.buffers = [];
  json.chunks = [];
  if (poolTimer) {
    clearTimeout(poolTimer);
  }
  poolTimer = setTimeout(() => {
    pool.length = 0;
    poolTimer = null;
  }, POOL_IDLE_MS).unref();
}

class ChunkWriter {
  private readonly chunks: Buffer[] = [];
  private readonly buffers: Buffer[] = [];
  private chunk = this.fresh(CHUNK_BYTES);
  private used = 0;
  private length = 0;

  push(text: string): void {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.chunk.length - this.used) {
      this.close();
      this.chunk = this.fresh(bytes);
    }
    this.used += this.chunk.write(text, this.used, 'utf8');
    this.length += bytes;
  }

  finish(): JsonChunks {
    this.close();
    return { chunks: this.chunks, length: this.length, buffers: this.buffers };
  }

  private fresh(bytes: number): Buffer {
    const buffer = takeChunk(bytes);
    this.buffers.push(buffer);
    return buffer;
  }

  private close(): void {
    if (this.used > 0) {
      // The last chunk's unused tail goes with it; a copy of the used part would hold both for a moment.
      this.chunks.push(this.chunk.subarray(0, this.used));
    }
    this.used = 0;
  }
}

/** What JSON.stringify leaves out of an object, and writes as `null` in an array. */
const omitted = (v: unknown): boolean =>
  v === undefined || typeof v === 'function' || typeof v === 'symbol';

function write(value: unknown, depth: number, out: ChunkWriter): void {
  const splittable =
    depth > 0 &&
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function';
  if (!splittable) {
    out.push(JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item: unknown, i) => {
      if (i > 0) {
        out.push(',');
      }
      if (omitted(item)) {
        out.push('null');
      } else {
        write(item, depth - 1, out);
      }
    });
    out.push(']');
    return;
  }
  out.push('{');
  let first = true;
  for (const [key, item] of Object.entries(value)) {
    if (omitted(item)) {
      continue;
    }
    out.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    write(item, depth - 1, out);
  }
  out.push('}');
}
