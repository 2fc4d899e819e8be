/** The second factor's mails, in French, plain text: the mailed code, an enrolment, a reset by the holder. */
import type { Mail } from '../../mail/templates';
import { frDate, frTime } from '../../mail/format';

const NEVER_ASKED =
  'Ce code se tape uniquement dans Vigie. Ni Vigie ni l’Assurance Maladie ne vous le demanderont jamais, ni par ' +
  'téléphone ni par message : si quelqu’un vous le demande, refusez.';
const REPORT =
  'Si vous ne reconnaissez pas cette activité, changez votre mot de passe et signalez-la : appelez le 36 08, ' +
  'ou contactez le délégué numérique en santé de votre CPAM.';
const FOOTER =
  '\n\n—\nVigie, pour votre compte amelipro. Ce message vous est envoyé sur la boîte mail dédiée à amelipro.\n';

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
