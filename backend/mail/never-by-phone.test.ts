import { describe, expect, it } from 'vitest';
import { delegationEndedMail, delegationEndReminderMail, reminderMail } from './templates';

/**
 * Fraudsters phone health professionals posing as « support CPS » to obtain codes: every reminder a person
 * receives says who never asks for what by phone, where a mailed code is typed, and what to do with such a call.
 */
describe('the reminder mails warn against phone phishing', () => {
  const endsAt = new Date('2027-03-03T23:00:00Z');
  const mails = {
    'inactivity reminder': reminderMail({ name: 'Sophie', days: 7, blockAt: endsAt }),
    'end of contract reminder': delegationEndReminderMail({
      name: 'Claire',
      delegateName: 'Sophie BERNARD',
      endsAt,
    }),
    'end of contract, to the delegate': delegationEndedMail({
      name: 'Sophie',
      delegateName: 'Sophie BERNARD',
      endsAt,
      to: 'delegate',
    }),
  };
  for (const [what, mail] of Object.entries(mails))
    it(what, () => {
      expect(mail.text).toContain(
        'ne vous demanderont jamais par téléphone un code, un code PIN ou un mot de passe',
      );
      expect(mail.text).toContain('se tape uniquement dans Vigie');
      expect(mail.text).toContain('refusez et raccrochez');
      expect(mail.text).toContain('journal des événements');
    });

  it('the end of contract is dated on the last day, in Paris time', () => {
    // 2027-03-03T23:00Z is midnight in Paris between 3 and 4 March: the last day is 3 March
    expect(mails['end of contract reminder'].subject).toBe(
      "L'accès délégué de Sophie BERNARD prend fin le 3 mars 2027",
    );
  });
});
