/**
 * The e-mails of the unblock paths, to the account's dedicated address, in the style of backend/mail/templates.ts
 * (same `{ kind, subject, text }` shape and date format; the wiring adds these kinds to its `Mail['kind']`). Never the code itself.
 */
const frDate = (d: Date) =>
  new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(d);
const frTime = (d: Date) =>
  new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);

export interface UnblockMail {
  kind: 'postal_code_requested' | 'account_unblocked';
  subject: string;
  text: string;
}

const REPORT =
  "Si vous n'êtes pas à l'origine de cette demande, signalez-la sans attendre : appelez le 36 08, " +
  'ou contactez le délégué numérique en santé de votre CPAM.';
const FOOTER =
  '\n\n—\nVigie, pour votre compte amelipro. Ce message vous est envoyé sur la boîte mail dédiée à amelipro.\n';

const METHOD = {
  card: 'avec votre carte CPS',
  ecps: 'avec votre e-CPS',
  security_key: 'avec votre clé de sécurité',
  postal_code: 'avec le code reçu par courrier',
} as const;

export function postalCodeRequestedMail(p: {
  name: string;
  at: Date;
  reference: string;
  expiresAt: Date;
  pharmacyName: string;
}): UnblockMail {
  return {
    kind: 'postal_code_requested',
    subject: 'Un code de déblocage vous est envoyé par courrier',
    text:
      `Bonjour ${p.name},\n\n` +
      `Le ${frDate(p.at)} à ${frTime(p.at)}, un code provisoire a été demandé pour débloquer votre compte amelipro. ` +
      `Il vous est envoyé par courrier postal à l'adresse de ${p.pharmacyName} enregistrée pour votre compte ` +
      `(référence ${p.reference}). Ce code ne figure pas dans ce message. Il sera valable jusqu'au ${frDate(p.expiresAt)}.\n\n` +
      REPORT +
      FOOTER,
  };
}

export function accountUnblockedMail(p: {
  name: string;
  at: Date;
  method: keyof typeof METHOD;
  workstationLabel: string | null;
}): UnblockMail {
  return {
    kind: 'account_unblocked',
    subject: 'Votre compte amelipro est débloqué',
    text:
      `Bonjour ${p.name},\n\n` +
      `Votre compte amelipro a été débloqué le ${frDate(p.at)} à ${frTime(p.at)} ${METHOD[p.method]}` +
      `${p.workstationLabel ? `, depuis le poste « ${p.workstationLabel} »` : ''}.\n\n` +
      REPORT +
      FOOTER,
  };
}
