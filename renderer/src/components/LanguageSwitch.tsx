import { useTranslation } from 'react-i18next';
import { ToggleButton, ToggleButtonGroup } from 'react-aria-components';
import type { Language } from '../../../domain/api/groups/app';
import { useApi } from '../lib/api-context';

const LANGUAGES: Language[] = ['fr', 'en'];

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const current = (i18n.language === 'en' ? 'en' : 'fr') as Language;
  return (
    <ToggleButtonGroup
      aria-label={t('app.language')}
      selectionMode="single"
      disallowEmptySelection
      selectedKeys={[current]}
      onSelectionChange={(keys) => {
        const next = [...keys][0] as Language | undefined;
        if (next && next !== current) {
          void i18n.changeLanguage(next);
          void api.app.setLanguage({ language: next });
        }
      }}
      className="language-switch"
    >
      {LANGUAGES.map((l) => (
        <ToggleButton key={l} id={l} lang={l} className="toggle">
          {t(`app.languages.${l}`)}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
