/**
 * Tests that need a real part of the machine (pcscd and the virtual reader, a Secret Service, PostgreSQL,
 * Chromium) ask here. Outside CI a missing part is a skip that prints why; in CI (CI=true) it is a failure that
 * says what is missing: a green CI must mean every real part ran.
 */
export const inCi = (): boolean => !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** True when the part is there; false (with the reason printed) to skip outside CI; throws in CI. */
export function realPart(present: boolean, missing: string): boolean {
  if (present) return true;
  if (inCi()) throw new Error(`CI: a real part is missing: ${missing}`);
  console.log(`skip: ${missing}`);
  return false;
}
