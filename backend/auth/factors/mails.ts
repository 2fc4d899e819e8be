/** The second factor's mails live with every other mail text, in mail/templates.ts. */
export { factorCodeMail, factorEnrolledMail, factorResetMail } from '../../mail/templates';
