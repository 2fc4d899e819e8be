import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import type { VigieClient } from '../../../domain/api/renderer-api';
import i18n from '../i18n';
import { ApiProvider } from '../lib/api-context';
import { fakeClient } from './fake-client';

// jsdom lacks CSS.escape, which react-aria uses for its dialogs.
const g = globalThis as unknown as { CSS?: { escape?: (s: string) => string } };
g.CSS ??= {};
g.CSS.escape ??= (s: string) => s.replace(/[^\w-]/g, (c) => `\\${c}`);

export async function renderWith(
  ui: ReactNode,
  opts: { client?: VigieClient; lang?: 'fr' | 'en'; path?: string } = {},
) {
  await i18n.changeLanguage(opts.lang ?? 'fr');
  const client = opts.client ?? fakeClient().client;
  return render(
    <ApiProvider client={client}>
      <MemoryRouter initialEntries={[opts.path ?? '/']}>{ui}</MemoryRouter>
    </ApiProvider>,
  );
}
