import { FastifyRequest } from 'fastify';

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/;

/**
 * The origin a phone used to reach us, for the QR link: the address the secretary's own browser opened, so it works
 * on the venue's network without configuration. A malformed Host falls back to the configured public URL.
 */
export function requestOrigin(req: FastifyRequest, fallback: string): string {
  const host = req.host;
  if (typeof host === 'string' && HOST.test(host)) {
    return `${req.protocol === 'https' ? 'https' : 'http'}://${host}`;
  }
  return fallback.replace(/\/+$/, '');
}
