/** What a request says about where it comes from; recorded in events, never trusted for authorisation. */
export interface RequestMeta {
  ip: string | null;
  workstationId: string | null;
  workstationLabel: string | null;
  appVersion: string | null;
  /** A registered workstation's proof of a sign-in request (checked against its key where the workstation is read). */
  proof?: { time: string; signature: string; method: string; path: string } | null;
}
