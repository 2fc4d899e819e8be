import { FlaskConical, X } from 'lucide-react';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { ErrorCode } from '../../../domain/errors';
import { useApi } from '../lib/api-context';
import { formatDateTime } from '../lib/format';
import { useCall, useCardState } from '../lib/hooks';
import { ErrorState, Loading } from './ui';

/** Demo only, clearly marked: virtual cards of the demo people, e-CPS answers, the last letter, their mails. */
export function DemoPanel({ onClose }: { onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const people = useCall(() => api.demo.people(), [api]);
  const card = useCardState();
  const [letter, setLetter] = useState<{ reference: string; code: string } | null | 'none'>(null);
  const [mail, setMail] = useState<{
    name: string;
    mails: readonly { subject: string; text: string; sentAt: string }[];
  } | null>(null);
  const [err, setErr] = useState<ErrorCode | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const run = async <T,>(
    p: Promise<{ ok: true; value: T } | { ok: false; code: ErrorCode }>,
    done: string,
  ) => {
    const r = await p;
    if (r.ok) {
      setErr(null);
      setMsg(done);
    } else setErr(r.code);
  };
  // a card in the slot, even one that does not answer, can be pulled
  const cardIn = card?.status === 'present' || card?.status === 'busy' || card?.status === 'error';
  return (
    <aside className="demo-panel" aria-labelledby="demo-title" data-testid="demo-panel">
      <div className="demo-head">
        <h2 id="demo-title" className="panel-title">
          <FlaskConical aria-hidden="true" size={20} /> {t('demo.title')}
        </h2>
        <Button className="button button-quiet" onPress={onClose} aria-label={t('common.close')}>
          <X aria-hidden="true" size={20} />
        </Button>
      </div>
      <p className="small">{t('demo.intro')}</p>
      {people.status === 'loading' && <Loading />}
      {people.status === 'error' && <ErrorState code={people.code} compact onRetry={people.reload} />}
      {people.value && !people.value.available && <p>{t('demo.off')}</p>}
      <ul className="demo-people">
        {people.value?.people.map((p) => (
          <li key={p.id} className="demo-person" data-person={p.id}>
            <div>
              <strong>{p.displayName}</strong> <span className="small muted">· {p.role}</span>
              <p className="small">{p.situation}</p>
              {p.identifier && (
                <p className="small mono">
                  {t('demo.credentials', { identifier: p.identifier, password: p.password ?? '' })}
                </p>
              )}
            </div>
            <div className="demo-person-actions">
              <Button
                className="button"
                onPress={() =>
                  void api.demo.mailbox({ personId: p.id }).then((r) => {
                    if (r.ok) setMail({ name: p.displayName, mails: r.value.mails });
                    else setErr(r.code);
                  })
                }
              >
                {t('demo.mailbox')}
              </Button>
              {p.hasCard && (
                <Button
                  className="button"
                  onPress={() =>
                    void run(
                      api.demo.insertCard({ personId: p.id, profile: 'cps3' }),
                      t('demo.inserted', { name: p.displayName }),
                    )
                  }
                >
                  {t('demo.insert')}
                </Button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <div className="actions">
        <Button
          className="button"
          isDisabled={!cardIn}
          onPress={() => void run(api.demo.removeCard(), t('demo.removed'))}
        >
          {t('demo.remove')}
        </Button>
        <Button
          className="button"
          onPress={() => void run(api.demo.answerEcps({ approve: true }), t('demo.approved'))}
        >
          {t('demo.approve')}
        </Button>
        <Button
          className="button"
          onPress={() => void run(api.demo.answerEcps({ approve: false }), t('demo.refused'))}
        >
          {t('demo.refuse')}
        </Button>
        <Button
          className="button"
          onPress={() =>
            void api.demo.lastLetter().then((r) => {
              if (r.ok) setLetter(r.value ?? 'none');
              else setErr(r.code);
            })
          }
        >
          {t('demo.letter')}
        </Button>
      </div>
      {letter === 'none' && <p className="note">{t('demo.noLetter')}</p>}
      {letter && letter !== 'none' && (
        <p className="note" data-testid="demo-letter">
          {t('demo.letterCode', { reference: letter.reference })}{' '}
          <strong className="mono" data-testid="demo-letter-code">
            {letter.code}
          </strong>
        </p>
      )}
      {mail && (
        <section
          className="note demo-mail"
          aria-label={t('demo.mailboxOf', { name: mail.name })}
          data-testid="demo-mail"
        >
          <p className="small muted">{t('demo.mailboxOf', { name: mail.name })}</p>
          {mail.mails.length === 0 && <p>{t('demo.noMail', { name: mail.name })}</p>}
          {mail.mails.map((m, i) => (
            <article key={`${m.sentAt}-${i}`} className="demo-mail-item" data-testid="demo-mail-item">
              <p className="small muted">{formatDateTime(m.sentAt, i18n.language)}</p>
              <p>
                <strong>{m.subject}</strong>
              </p>
              <pre className="demo-mail-text">{m.text}</pre>
            </article>
          ))}
          <p className="small muted">{t('demo.mailNote')}</p>
        </section>
      )}
      {msg && (
        <p className="note" role="status">
          {msg}
        </p>
      )}
      {err && <ErrorState code={err} compact />}
    </aside>
  );
}
