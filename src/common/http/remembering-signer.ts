import { Signer, UnsignResult } from '@fastify/cookie';

/** Valid signed values remembered (a session cookie and a CSRF cookie per person signed in). */
const REMEMBERED = 20_000;

/**
 * The cookie signer, remembering what it has verified: every signed-in page checked the HMAC of its session cookie
 * and of its CSRF cookie on each request (~2% of the lesson page's CPU in its profile). The answer for a given
 * signed string never changes while the secret does not, and only a string that verified is remembered, so
 * someone sending forged cookies makes no entries (they are checked every time) and cannot push real ones out.
 */
export class RememberingSigner {
  private readonly signer: Signer;
  private readonly valid = new Map<string, UnsignResult>();

  constructor(secret: string) {
    this.signer = new Signer(secret, 'sha256');
  }

  sign(value: string): string {
    return this.signer.sign(value);
  }

  unsign(signedValue: string): UnsignResult {
    const known = this.valid.get(signedValue);
    if (known) {
      return { ...known };
    }
    const result = this.signer.unsign(signedValue);
    if (result.valid && !result.renew) {
      if (this.valid.size >= REMEMBERED) {
        // Oldest first: a Map iterates in insertion order.
        this.valid.delete(this.valid.keys().next().value as string);
      }
      this.valid.set(signedValue, { ...result });
    }
    return result;
  }
}
