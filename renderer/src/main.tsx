import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import i18n from './i18n';
import './styles.css';
import { App } from './App';
import { api } from './lib/api';

// The core remembers the language: ask it first, so the first paint is already in the right language.
const info = await Promise.race([
  api.app.getInfo(),
  new Promise<null>((r) => setTimeout(() => r(null), 3000)),
]);
if (info?.ok) await i18n.changeLanguage(info.value.language);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
