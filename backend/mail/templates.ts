/** The e-mails, in French, with the insurer's own words (reference/glossary.md). Plain text. */
import { frDate, frTime } from './format';

export interface Mail {
  kind:
    | 'sign_in'
    | 'factor_code'
    | 'factor_enrolled'
    | 'factor_reset'
    | 'blocked_inactivity'
    | 'blocked_suspicious'
    | 'reminder'
    | 'password_changed'
    | 'postal_code_requested'
    | 'account_unblocked'
    | 'report_case'
    | 'security_key_set'
    | 'security_key_used'
    | 'fresh_start'
    | 'delegation_end_reminder'
    | 'delegation_ended';
  subject: string;
  text: string;
}

const METHOD: Record<string, string> = {
  card: 'carte CPS',
  ecps: 'e-CPS',
  password: 'identifiant et mot de passe',
  security_key: 'clé de sécurité',
  postal_code: 'code provisoire envoyé par courrier',
  system: 'Vigie',
};

const FACTOR: Record<'totp' | 'email' | 'recovery' | 'none', string> = {
  totp: "Second facteur utilisé : le code de l'application d'authentification.",
  email: 'Second facteur utilisé : le code envoyé à cette adresse.',
  recovery:
    "Second facteur utilisé : un code de secours, qui ne servira plus. S'il vous en reste peu, enregistrez à nouveau votre second facteur dans Vigie.",
  none: 'Sans second facteur (période de transition de votre pharmacie) : activez-le dès maintenant dans Vigie.',
};

const REPORT =
  'Si vous ne reconnaissez pas cette activité, changez votre mot de passe et signalez-la : appelez le 36 08, ' +
  'ou contactez le délégué numérique en santé de votre CPAM.';
/**
 * Against phishing by phone (fraudsters posing as « CPS support » to get activation codes): who never asks for
 * what, where a mailed code goes, and what to do with a call one did not start.
 */
export const NEVER_BY_PHONE =
  'Ni Vigie ni l’Assurance Maladie ne vous demanderont jamais par téléphone un code, un code PIN ou un mot de ' +
  'passe. Un code que Vigie vous envoie se tape uniquement dans Vigie. Si quelqu’un vous le demande au téléphone ' +
  'sans que vous ayez appelé, refusez et raccrochez ; vous pouvez le signaler depuis le journal des événements.';
const FOOTER =
  '\n\n—\nVigie, pour votre compte amelipro. Ce message vous est envoyé sur la boîte mail dédiée à amelipro.\n';

export function signInMail(p: {
  name: string;
  at: Date;
  method: string;
  workstationLabel: string | null;
  /** The second factor of a password sign-in, or none (the grace period). */
  factor?: 'totp' | 'email' | 'recovery' | 'none';
}): Mail {
  return {
    kind: 'sign_in',
    subject: 'Nouvelle connexion à votre compte amelipro',
    text:
      `Bonjour ${p.name},\n\n` +
      `Une connexion à votre compte amelipro a eu lieu le ${frDate(p.at)} à ${frTime(p.at)}` +
      `${p.workstationLabel ? ` depuis le poste « ${p.workstationLabel} »` : ''} (${METHOD[p.method] ?? p.method}).\n\n` +
      (p.factor ? `${FACTOR[p.factor]}\n\n` : '') +
      REPORT +
      FOOTER,
  };
}

export function blockedMail(p: {
  name: string;
  at: Date;
  reason: 'inactivity' | 'suspicious';
  explanation: string;
}): Mail {
  const ways =
    'Pour le débloquer :\n' +
    '  1. connectez-vous avec votre carte CPS ou votre e-CPS : le déblocage est immédiat ;\n' +
    '  2. sinon, depuis la connexion par identifiant et mot de passe, suivez le parcours de déblocage en ligne avec votre clé de sécurité ;\n' +
    '  3. en dernier recours, demandez un code provisoire envoyé par courrier à votre adresse postale.';
  return p.reason === 'inactivity'
    ? {
        kind: 'blocked_inactivity',
        subject: 'Votre compte amelipro est bloqué (non utilisé depuis plus de 6 mois)',
        text:
          `Bonjour ${p.name},\n\n` +
          `Votre compte amelipro, non utilisé depuis plus de 6 mois, est bloqué depuis le ${frDate(p.at)} à ${frTime(p.at)}.\n\n` +
          `${ways}${FOOTER}`,
      }
    : {
        kind: 'blocked_suspicious',
        subject: 'Votre compte amelipro est bloqué (compte considéré comme suspect)',
        text:
          `Bonjour ${p.name},\n\n` +
          `Votre compte amelipro est considéré comme suspect et a été bloqué le ${frDate(p.at)} à ${frTime(p.at)}.\n` +
          `Motif : ${p.explanation}\n\n${ways}\n\n${REPORT}${FOOTER}`,
      };
}

export function reminderMail(p: { name: string; days: number; blockAt: Date }): Mail {
  const when = p.days === 1 ? 'demain' : `dans ${p.days} jours`;
  return {
    kind: 'reminder',
    subject: `Votre compte amelipro sera bloqué ${when}`,
    text:
      `Bonjour ${p.name},\n\n` +
      `Votre compte amelipro n'a pas été utilisé depuis bientôt 6 mois. Sans connexion d'ici là, il sera bloqué ` +
      `le ${frDate(p.blockAt)} à ${frTime(p.blockAt)} (${when}).\n\n` +
      `Pour l'éviter, il suffit de vous connecter une fois, avec votre carte CPS, votre e-CPS ou votre identifiant et mot de passe.\n\n` +
      NEVER_BY_PHONE +
      FOOTER,
  };
}

export function passwordChangedMail(p: { name: string; at: Date; workstationLabel: string | null }): Mail {
  return {
    kind: 'password_changed',
    subject: 'Le mot de passe de votre compte amelipro a été changé',
    text:
      `Bonjour ${p.name},\n\n` +
      `Le mot de passe de votre compte amelipro a été changé le ${frDate(p.at)} à ${frTime(p.at)}` +
      `${p.workstationLabel ? ` depuis le poste « ${p.workstationLabel} »` : ''}.\n\n${REPORT}${FOOTER}`,
  };
}

/** A password reset with the security key: the owner hears of it whether the account was blocked or not. */
export function securityKeyUsedMail(p: { name: string; at: Date; workstationLabel: string | null }): Mail {
  return {
    kind: 'security_key_used',
    subject: 'Clé de sécurité utilisée sur votre compte amelipro',
    text:
      `Bonjour ${p.name},\n\n` +
      `La clé de sécurité de votre compte amelipro (vos informations personnelles) a été utilisée le ${frDate(p.at)} à ${frTime(p.at)}` +
      `${p.workstationLabel ? ` depuis le poste « ${p.workstationLabel} »` : ''} pour choisir un nouveau mot de passe.\n\n${REPORT}${FOOTER}`,
  };
}

/**
 * After a report, the holder gives her password delegate a fresh start: a one-time code to the delegate's dedicated
 * address, to type in Vigie with a new password. The code is in this mail only.
 */
export function freshStartMail(p: {
  name: string;
  holderName: string;
  at: Date;
  code: string;
  expiresAt: Date;
}): Mail {
  return {
    kind: 'fresh_start',
    subject: 'Votre code pour choisir un nouveau mot de passe amelipro',
    text:
      `Bonjour ${p.name},\n\n` +
      `Après votre signalement, votre ancien mot de passe amelipro ne fonctionne plus. ${p.holderName}, titulaire du compte de la pharmacie, ` +
      `vous permet d'en choisir un nouveau.\n\n` +
      `Votre code : ${p.code}\n\n` +
      `Dans Vigie, sur l'écran de connexion, choisissez « J'ai reçu un code de nouveau départ », tapez votre identifiant, ce code et votre nouveau mot de passe. ` +
      `Ce code sert une seule fois, jusqu'au ${frDate(p.expiresAt)} à ${frTime(p.expiresAt)}. Ne le communiquez à personne, même pas au « support ».\n\n` +
      `Si vous n'attendiez pas ce message, appelez le 36 08, ou contactez le délégué numérique en santé de votre CPAM.${FOOTER}`,
  };
}

/** The unblock paths' mails say the request may not be the owner's. */
const REPORT_REQUEST =
  "Si vous n'êtes pas à l'origine de cette demande, signalez-la sans attendre : appelez le 36 08, " +
  'ou contactez le délégué numérique en santé de votre CPAM.';

/** How an account was unblocked, as the unblock mail says it. */
const UNBLOCK_METHOD = {
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
}): Mail {
  return {
    kind: 'postal_code_requested',
    subject: 'Un code de déblocage vous est envoyé par courrier',
    text:
      `Bonjour ${p.name},\n\n` +
      `Le ${frDate(p.at)} à ${frTime(p.at)}, un code provisoire a été demandé pour débloquer votre compte amelipro. ` +
      `Il vous est envoyé par courrier postal à l'adresse de ${p.pharmacyName} enregistrée pour votre compte ` +
      `(référence ${p.reference}). Ce code ne figure pas dans ce message. Il sera valable jusqu'au ${frDate(p.expiresAt)}.\n\n` +
      REPORT_REQUEST +
      FOOTER,
  };
}

export function accountUnblockedMail(p: {
  name: string;
  at: Date;
  method: keyof typeof UNBLOCK_METHOD;
  workstationLabel: string | null;
}): Mail {
  return {
    kind: 'account_unblocked',
    subject: 'Votre compte amelipro est débloqué',
    text:
      `Bonjour ${p.name},\n\n` +
      `Votre compte amelipro a été débloqué le ${frDate(p.at)} à ${frTime(p.at)} ${UNBLOCK_METHOD[p.method]}` +
      `${p.workstationLabel ? `, depuis le poste « ${p.workstationLabel} »` : ''}.\n\n` +
      REPORT_REQUEST +
      FOOTER,
  };
}

/** The security key was recorded: the owner hears of it, since a key set by someone else would be a way in. */
export function securityKeySetMail(p: { name: string; workstationLabel: string | null }): Mail {
  return {
    kind: 'security_key_set',
    subject: 'La clé de sécurité de votre compte amelipro a été enregistrée',
    text:
      `Bonjour ${p.name},\n\nLa clé de sécurité de votre compte amelipro (les informations personnelles qui permettent de le débloquer en ligne) ` +
      `vient d'être enregistrée${p.workstationLabel ? ` depuis le poste « ${p.workstationLabel} »` : ''}.\n\n` +
      "Si vous n'êtes pas à l'origine de ce changement, signalez-le sans attendre : appelez le 36 08, ou contactez le délégué numérique en santé de votre CPAM.\n\n—\nVigie, pour votre compte amelipro.\n",
  };
}

/** A report opened a case: what was done (its steps) and whom to call. */
export function reportCaseMail(p: { name: string; steps: readonly string[]; advice: string }): Mail {
  return {
    kind: 'report_case',
    subject: 'Votre signalement a été reçu : votre compte amelipro est sécurisé',
    text: `Bonjour ${p.name},\n\n${p.steps.join('\n')}\n\n${p.advice}\n\n—\nVigie, pour votre compte amelipro.\n`,
  };
}

/** To the holder, 7 days before a delegation's last day. */
export function delegationEndReminderMail(p: { name: string; delegateName: string; endsAt: Date }): Mail {
  const lastDay = new Date(p.endsAt.getTime() - 1);
  return {
    kind: 'delegation_end_reminder',
    subject: `L'accès délégué de ${p.delegateName} prend fin le ${frDate(lastDay)}`,
    text:
      `Bonjour ${p.name},\n\n` +
      `L'accès délégué de ${p.delegateName} à votre compte amelipro prend fin le ${frDate(lastDay)} au soir ` +
      `(fin de contrat). À partir du ${frDate(p.endsAt)}, ${p.delegateName} ne pourra plus se connecter et ses ` +
      `sessions seront fermées.\n\n` +
      `Pour changer ou retirer cette date, ouvrez Vigie, écran « Comptes de la pharmacie ».\n\n` +
      NEVER_BY_PHONE +
      FOOTER,
  };
}

/** To the delegate and to the holder, when a delegation reached its last day. */
export function delegationEndedMail(p: {
  name: string;
  delegateName: string;
  endsAt: Date;
  to: 'delegate' | 'holder';
}): Mail {
  const lastDay = new Date(p.endsAt.getTime() - 1);
  return p.to === 'delegate'
    ? {
        kind: 'delegation_ended',
        subject: 'Votre accès délégué au compte amelipro a pris fin',
        text:
          `Bonjour ${p.name},\n\n` +
          `Votre accès délégué au compte amelipro de la pharmacie a pris fin le ${frDate(lastDay)} au soir, ` +
          `à la date de fin de contrat choisie par le titulaire. Vos sessions ont été fermées.\n\n` +
          `Si c'est une erreur, adressez-vous au titulaire du compte : lui seul peut vous redonner un accès.\n\n` +
          NEVER_BY_PHONE +
          FOOTER,
      }
    : {
        kind: 'delegation_ended',
        subject: `L'accès délégué de ${p.delegateName} a pris fin`,
        text:
          `Bonjour ${p.name},\n\n` +
          `Comme prévu, l'accès délégué de ${p.delegateName} à votre compte amelipro a pris fin le ` +
          `${frDate(lastDay)} au soir (fin de contrat). Ses sessions ont été fermées.\n\n` +
          REPORT +
          FOOTER,
      };
}

// ---- the second factor: the mailed code, an enrolment, a reset by the holder

const NEVER_ASKED =
  'Ce code se tape uniquement dans Vigie. Ni Vigie ni l’Assurance Maladie ne vous le demanderont jamais, ni par ' +
  'téléphone ni par message : si quelqu’un vous le demande, refusez.';

export function factorCodeMail(p: {
  name: string;
  code: string;
  expiresAt: Date;
  purpose: 'verify' | 'enrol';
}): Mail {
  const what =
    p.purpose === 'enrol'
      ? 'pour activer le second facteur de votre connexion à amelipro'
      : 'pour terminer votre connexion à amelipro';
  return {
    kind: 'factor_code',
    subject: `Votre code Vigie : ${p.code}`,
    text:
      `Bonjour ${p.name},\n\n` +
      `Voici votre code ${what} : ${p.code}\n\n` +
      `Il sert une seule fois, jusqu'à ${frTime(p.expiresAt)} (10 minutes).\n\n` +
      `${NEVER_ASKED}\n\n` +
      `Si vous n'êtes pas en train de vous connecter, quelqu'un connaît votre mot de passe : changez-le et ${REPORT.charAt(0).toLowerCase()}${REPORT.slice(1)}${FOOTER}`,
  };
}

export function factorEnrolledMail(p: { name: string; at: Date; kind: 'totp' | 'email' }): Mail {
  const kind = p.kind === 'totp' ? 'une application d’authentification' : 'un code envoyé à cette adresse';
  return {
    kind: 'factor_enrolled',
    subject: 'Second facteur activé sur votre compte amelipro',
    text:
      `Bonjour ${p.name},\n\n` +
      `Le ${frDate(p.at)} à ${frTime(p.at)}, le second facteur de votre connexion par mot de passe a été activé : ${kind}. ` +
      `Dix codes de secours ont été affichés une seule fois ; gardez-les hors de l'ordinateur.\n\n${REPORT}${FOOTER}`,
  };
}

export function factorResetMail(p: {
  name: string;
  at: Date;
  delegateName: string;
  holderName: string;
  toHolder: boolean;
}): Mail {
  return {
    kind: 'factor_reset',
    subject: p.toHolder
      ? `Second facteur de ${p.delegateName} réinitialisé`
      : 'Votre second facteur amelipro a été réinitialisé',
    text:
      `Bonjour ${p.name},\n\n` +
      (p.toHolder
        ? `Le ${frDate(p.at)} à ${frTime(p.at)}, vous avez réinitialisé le second facteur de ${p.delegateName}. `
        : `Le ${frDate(p.at)} à ${frTime(p.at)}, ${p.holderName}, titulaire du compte de la pharmacie, a réinitialisé votre second facteur. `) +
      `À la prochaine connexion, un code envoyé à la boîte mail dédiée permettra d'en enregistrer un nouveau ; ` +
      `les anciens codes de secours ne servent plus.\n\n${REPORT}${FOOTER}`,
  };
}
