/**
 * "Je ne reconnais pas cette activité": the case a report opens, as a small state machine the backend stores and
 * the renderer shows. received → secured (sessions revoked, password change required, account blocked as
 * suspicious if the user asked) → closed. Each step says, in plain French, what was done and when.
 */
import type { UnblockAccountKind } from './unblock';

export type ReportCaseStatus = 'received' | 'secured' | 'closed';
export type ContainmentAction = 'revoke_sessions' | 'require_password_change' | 'block_account';

export interface ReportCaseStep {
  status: ReportCaseStatus;
  at: Date;
  /** Plain French, for the user. */
  text: string;
}

export interface ReportCase {
  status: ReportCaseStatus;
  /** The event the user does not recognise (null: a general report). */
  eventId: string | null;
  /** What securing the account does, in the order the backend does it (one transaction). */
  actions: ContainmentAction[];
  steps: ReportCaseStep[];
}

/** The insurer's contacts, shown with every case. */
export const REPORT_CONTACTS = {
  phone: '36 08',
  text: "Pour signaler une activité suspecte à l'Assurance Maladie : appelez le 36 08, ou contactez le délégué numérique en santé de votre CPAM.",
} as const;

/** Opens a case. `hasPassword`: the account signs in with a password (accountants; holders who set one). */
export function openReportCase(o: {
  eventId: string | null;
  at: Date;
  blockAccount: boolean;
  kind: UnblockAccountKind;
  hasPassword: boolean;
}): ReportCase {
  const actions: ContainmentAction[] = ['revoke_sessions'];
  if (o.hasPassword || o.kind === 'password_delegate') actions.push('require_password_change');
  if (o.blockAccount) actions.push('block_account');
  return {
    status: 'received',
    eventId: o.eventId,
    actions,
    steps: [{ status: 'received', at: o.at, text: 'Votre signalement a bien été reçu.' }],
  };
}

function securedText(actions: readonly ContainmentAction[]): string {
  const parts = ['toutes les sessions ouvertes ont été fermées'];
  if (actions.includes('require_password_change'))
    parts.push('un nouveau mot de passe sera demandé à la prochaine connexion');
  if (actions.includes('block_account'))
    parts.push(
      'le compte est bloqué à votre demande (déblocage par carte CPS ou par code envoyé par courrier)',
    );
  return `Compte sécurisé : ${parts.join(' ; ')}.`;
}

const ORDER: Record<ReportCaseStatus, number> = { received: 0, secured: 1, closed: 2 };

/** Next step; throws on a step backwards or skipped (a closed case stays closed). */
export function advanceReportCase(
  c: ReportCase,
  to: Exclude<ReportCaseStatus, 'received'>,
  at: Date,
  note?: string,
): ReportCase {
  if (ORDER[to] !== ORDER[c.status] + 1) throw new Error(`report case: ${c.status} → ${to} is not allowed`);
  const text = to === 'secured' ? securedText(c.actions) : `Signalement clos${note ? ` : ${note}` : '.'}`;
  return { ...c, status: to, steps: [...c.steps, { status: to, at, text }] };
}
