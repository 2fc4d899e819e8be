import { CloudOff, CreditCard, Info, KeyRound, Smartphone } from 'lucide-react';
import { Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useBackendStatus } from '../../lib/hooks';
import { CardSignIn } from './CardSignIn';
import { EcpsSignIn } from './EcpsSignIn';
import { PasswordSignIn } from './PasswordSignIn';

export { BlockedNotice, type UnblockStart } from './BlockedNotice';
export { PukFlow } from './PukFlow';
export { RememberChoice } from './RememberChoice';

/** A sign-in method this backend does not offer: said calmly, above the tab's content. */
function NotOffered({ testId, text }: { testId: string; text: string }) {
  return (
    <p className="note" role="status" data-testid={testId}>
      <Info aria-hidden="true" size={18} />
      {text}
    </p>
  );
}

export type SignInMethod = 'card' | 'ecps' | 'password';

/** Sign-in: reacts to the card before anyone clicks; e-CPS; identifier and password for delegates. */
export function SignIn({
  initialMethod = 'card',
  title,
  intro,
}: {
  initialMethod?: SignInMethod;
  title?: string;
  intro?: string;
}) {
  const { t } = useTranslation();
  const backend = useBackendStatus();
  return (
    <div className="signin">
      <h1 className="page-title">{title ?? t('home.title')}</h1>
      <p className="lead">{intro ?? t('home.intro')}</p>
      {backend && !backend.reachable && (
        <p className="note note-offline" role="status" data-testid="backend-offline">
          <CloudOff aria-hidden="true" size={18} />
          {t('signIn.backendOffline')}
        </p>
      )}
      <Tabs defaultSelectedKey={initialMethod} className="tabs">
        <TabList aria-label={t('signIn.methods')} className="tab-list">
          <Tab id="card" className="tab">
            <CreditCard aria-hidden="true" size={20} /> {t('signIn.tab.card')}
          </Tab>
          <Tab id="ecps" className="tab">
            <Smartphone aria-hidden="true" size={20} /> {t('signIn.tab.ecps')}
          </Tab>
          <Tab id="password" className="tab">
            <KeyRound aria-hidden="true" size={20} /> {t('signIn.tab.password')}
          </Tab>
        </TabList>
        <TabPanel id="card" className="tab-panel">
          {backend?.signIn?.card === false && (
            <NotOffered testId="card-not-offered" text={t('signIn.cardNotOffered')} />
          )}
          <CardSignIn />
        </TabPanel>
        <TabPanel id="ecps" className="tab-panel panel">
          {backend?.signIn?.ecps === false && (
            <NotOffered testId="ecps-not-offered" text={t('signIn.ecpsNotOffered')} />
          )}
          <EcpsSignIn />
        </TabPanel>
        <TabPanel id="password" className="tab-panel panel">
          <PasswordSignIn />
        </TabPanel>
      </Tabs>
    </div>
  );
}
