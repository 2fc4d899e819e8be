/**
 * Every import of the backend beyond its two stable entry points (`backend/app.ts`, `backend/test/harness.ts`),
 * in one place, so that a move of these files is fixed here only:
 * - creating a pharmacy and its holder: no HTTP route exists for it (the insurer provisions them), so the
 *   simulation uses the backend's own account service, as the demo seed does;
 * - reading the code back from a postal letter (the PDF in the letters outbox), and the mail service saying the
 *   letter was printed, as backend/test/signin.int.test.ts does;
 * - the Pro Santé Connect sandbox (a real oidc-provider) for e-CPS.
 */
export { createAccount, createPharmacy } from '../backend/accounts/accounts';
export { readLetter } from '../backend/unblock/letter-reader';
export { markLetterPrinted } from '../backend/unblock/postal-path';
export { startPscSandbox, type PscSandbox } from '../backend/auth/ecps/sandbox';
