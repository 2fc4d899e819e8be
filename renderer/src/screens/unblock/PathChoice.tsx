import { CreditCard, KeyRound, Mail, Smartphone } from 'lucide-react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { UnblockPathSchema } from '../../../../domain/backend-api/schemas';

export type Path = z.infer<typeof UnblockPathSchema>;
const ICONS = { card: CreditCard, ecps: Smartphone, security_key: KeyRound, postal_code: Mail };

/** The ways out, in the order of the rules, each with what it needs and how long it takes. */
export function PathChoice({ paths, onChoose }: { paths: Path[]; onChoose: (p: Path) => void }) {
  const { t } = useTranslation();
  // the schema lists the paths in the order of the rules: card, e-CPS, security key, letter
  const sorted = UnblockPathSchema.options.filter((p) => paths.includes(p));
  return (
    <ol className="paths" data-testid="unblock-paths">
      {sorted.map((p, i) => {
        const Icon = ICONS[p];
        // « La plus rapide » only when there is a choice.
        const best = i === 0 && sorted.length > 1;
        return (
          <li key={p} className={`path${best ? ' path-best' : ''}`} data-path={p}>
            <Icon aria-hidden="true" size={32} className="path-icon" />
            <div className="path-body">
              <h3 className="path-title">
                {t(`unblock.path.${p}.title`)}
                {best && <span className="badge badge-active">{t('unblock.best')}</span>}
              </h3>
              <p className="small">
                <strong>{t('unblock.needs')}</strong> {t(`unblock.path.${p}.needs`)}
              </p>
              <p className="small">
                <strong>{t('unblock.takes')}</strong> {t(`unblock.path.${p}.takes`)}
              </p>
            </div>
            <Button className={i === 0 ? 'button button-primary' : 'button'} onPress={() => onChoose(p)}>
              {t(`unblock.path.${p}.go`)}
            </Button>
          </li>
        );
      })}
    </ol>
  );
}
