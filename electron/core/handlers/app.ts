import type { VigieHandlers } from '../../../domain/api/renderer-api';
import type { CoreContext } from '../context';

export function appHandlers(ctx: CoreContext): VigieHandlers['app'] {
  return {
    getInfo: () => ({
      name: 'Vigie',
      version: ctx.appVersion,
      mode: ctx.mode,
      demo: ctx.demo,
      versions: { node: process.versions.node, ...ctx.versions },
      language: ctx.settings.get('language'),
    }),
    setLanguage: ({ language }) => {
      ctx.settings.set('language', language);
      ctx.events.emit('app.language', language);
      return { language };
    },
  };
}
