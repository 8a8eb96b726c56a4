import { Signer } from '@fastify/cookie';
import { RememberingSigner } from './remembering-signer';

describe('RememberingSigner (cookie signatures checked once per signed value)', () => {
  const secret = 'a-test-secret-that-is-long-enough-000000';

  it('signs and unsigns exactly as the plugin’s signer does', () => {
    const plain = new Signer(secret, 'sha256');
    const remembering = new RememberingSigner(secret);
    const signed = remembering.sign('session-value');
    expect(signed).toBe(plain.sign('session-value'));
    for (let i = 0; i < 2; i++) {
      expect(remembering.unsign(signed)).toEqual({
        valid: true,
        renew: false,
        value: 'session-value',
      });
    }
    expect(remembering.unsign(`${signed}x`)).toEqual(plain.unsign(`${signed}x`));
    expect(remembering.unsign('no-signature')).toEqual({ valid: false, renew: false, value: null });
  });

  it('checks a remembered value’s signature only once, and a forged one every time', () => {
    const remembering = new RememberingSigner(secret);
    const inner = (remembering as unknown as { signer: Signer }).signer;
    const unsign = jest.spyOn(inner, 'unsign');
    const signed = remembering.sign('v');
    remembering.unsign(signed);
    remembering.unsign(signed);
    const forged = new Signer('another-secret-another-secret-0000000', 'sha256').sign('v');
    expect(remembering.unsign(forged).valid).toBe(false);
    expect(remembering.unsign(forged).valid).toBe(false);
    expect(unsign).toHaveBeenCalledTimes(3);
  });

  it('hands out copies: a caller changing its answer does not change the next one', () => {
    const remembering = new RememberingSigner(secret);
    const signed = remembering.sign('v');
    const first = remembering.unsign(signed);
    (first as { value: string | null }).value = 'changed';
    expect(remembering.unsign(signed).value).toBe('v');
  });
});
