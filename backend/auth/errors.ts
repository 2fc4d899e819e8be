/** The refusals of the password paths that carry more than a code. */
import { AppError } from '../../domain/result';
import type { unblockPaths } from '../accounts/accounts';

export class BlockedError extends AppError {
  constructor(
    readonly reason: 'inactivity' | 'suspicious',
    readonly explanation: string,
    readonly paths: ReturnType<typeof unblockPaths>,
  ) {
    super(
      reason === 'inactivity' ? 'ACCOUNT_BLOCKED_INACTIVITY' : 'ACCOUNT_BLOCKED_SUSPICIOUS',
      reason === 'inactivity'
        ? 'Votre compte, non utilisé depuis plus de 6 mois, est bloqué.'
        : 'Votre compte, considéré comme suspect, est bloqué.',
    );
  }
}

export class PasswordPolicyError extends AppError {
  constructor(readonly problems: string[]) {
    super('PASSWORD_POLICY', 'Ce mot de passe ne respecte pas les règles de sécurité.');
  }
}

/** One answer for an unknown identifier, a wrong password and a throttled attempt. */
export const invalidCredentials = () =>
  new AppError(
    'INVALID_CREDENTIALS',
    'Identifiant ou mot de passe incorrect. Après plusieurs essais, les tentatives sont ralenties : patientez quelques minutes.',
  );
