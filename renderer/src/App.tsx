import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { HashRouter, Route, Routes } from 'react-router';
import { LanguageSwitch } from './components/LanguageSwitch';
import { api } from './lib/api';
import { useAppInfo, useConnection } from './lib/hooks';
import { Home } from './screens/Home';

export function App() {
  const { t, i18n } = useTranslation();
  const info = useAppInfo();
  const connection = useConnection();

  // The language can also change from elsewhere (settings, another window): the core tells.
  useEffect(() => api.app.onLanguage((l) => void i18n.changeLanguage(l)), [i18n]);
  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);

  return (
    <HashRouter>
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
          {info?.demo && <span className="badge badge-demo">{t('app.demoBadge')}</span>}
        </div>
        <LanguageSwitch />
      </header>
      {connection !== 'open' && (
        <div className="banner banner-warn" role="status" data-testid="connection-banner">
          {t(`connection.${connection}`)}
        </div>
      )}
      <main id="main" className="app-main" tabIndex={-1}>
        <Routes>
          <Route path="*" element={<Home />} />
        </Routes>
      </main>
      <footer className="app-footer muted small">{info && t('footer.version', { version: info.version })}</footer>
    </HashRouter>
  );
}
