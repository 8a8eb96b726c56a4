import Fastify, { FastifyInstance } from 'fastify';
import { get } from 'node:http';
import { AddressInfo } from 'node:net';
import { send } from './reports-api.controller';

/** A report body of ~12 MB (far more than the kernel takes of an unread answer), each row telling its report. */
const report = (tag: string) => ({
  tag,
  rows: Array.from({ length: 120_000 }, (_, i) => ({
    id: `${tag}-${i}`,
    name: `${tag} 支部 ${i}`,
  })),
});

describe('send (report JSON streamed from shared buffers, reused once sent)', () => {
  let app: FastifyInstance;
  let base: string;
  const bodies = { a: report('a'), b: report('b') };

  beforeAll(async () => {
    app = Fastify();
    // Every request for a report answers the same body object, as requests sharing one computed report do.
    app.get<{ Params: { tag: 'a' | 'b' } }>('/:tag', (req, reply) =>
      send(reply, { kind: 'json', body: bodies[req.params.tag] }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(() => app.close());

  /**
   * The answer's text, nothing read for `pauseMs` first: the kernel then holds at most a few MB of it (the
   * receiver's window stays small while nothing is read), and the server the rest.
   */
  const fetchSlowly = (path: string, pauseMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = get(`${base}${path}`, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.on('socket', (socket) => {
        socket.pause();
        setTimeout(() => socket.resume(), pauseMs);
      });
    });

  it('gives every reader the whole report it asked for while other reports reuse the buffers of finished ones', async () => {
    const expected = { a: JSON.stringify(bodies.a), b: JSON.stringify(bodies.b) };
    for (let round = 0; round < 2; round++) {
      // A slow reader of `a` still receiving while `b` is answered twice (its buffers recycled in between), then
      // `a` and `b` asked for again together.
      const slow = fetchSlowly('/a', 300);
      const quick = [await fetchSlowly('/b', 0), await fetchSlowly('/b', 0)];
      const again = await Promise.all([fetchSlowly('/a', 0), fetchSlowly('/b', 50)]);
      expect(quick).toEqual([expected.b, expected.b]);
      expect(again).toEqual([expected.a, expected.b]);
      expect(await slow).toBe(expected.a);
    }
  });

  it('leaves the buffers of an answer cut off part way alone and goes on answering', async () => {
    await new Promise<void>((resolve) => {
      const req = get(`${base}/a`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
    });
    expect(await fetchSlowly('/b', 0)).toBe(JSON.stringify(bodies.b));
    expect(await fetchSlowly('/a', 20)).toBe(JSON.stringify(bodies.a));
  });
});
