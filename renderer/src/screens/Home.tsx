import { useTranslation } from 'react-i18next';
import { BackendPanel } from '../components/BackendPanel';
import { CardPanel } from '../components/CardPanel';
import { useBackendStatus, useCardState } from '../lib/hooks';

export function Home() {
  const { t } = useTranslation();
  const card = useCardState();
  const backend = useBackendStatus();
  return (
    <>
      <h1 className="page-title">{t('home.title')}</h1>
      <p className="lead">{t('home.intro')}</p>
      <CardPanel state={card} />
      <BackendPanel status={backend} />
    </>
  );
}
