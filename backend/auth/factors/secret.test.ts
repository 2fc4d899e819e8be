import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVELOPMENT_EVENTS_KEY, useEventsKey } from '../../events/key';
import { openSecret, sealSecret } from './secret';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('authenticator secrets sealed with a key derived from the events key', () => {
  afterEach(() => useEventsKey(DEVELOPMENT_EVENTS_KEY));

  it('open again under the same key, and not under another one (a copied table is useless without it)', () => {
    useEventsKey(randomBytes(32));
    const sealed = sealSecret(SECRET);
    expect(sealed).not.toContain(SECRET);
    expect(openSecret(sealed)).toBe(SECRET);
    useEventsKey(randomBytes(32));
    expect(() => openSecret(sealed)).toThrow();
  });
});
