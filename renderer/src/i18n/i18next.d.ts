import type { Messages } from './fr';

/**
 * The French catalogue is the type of every key: `t('…')` with a key missing from fr.ts fails `npm run typecheck`,
 * and en.ts is typed `Messages`, so English has the same keys.
 */
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
    returnNull: false;
  }
}
