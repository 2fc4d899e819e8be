/** What a request says about where it comes from; recorded in events, never trusted for authorisation. */
export interface RequestMeta {
  ip: string | null;
  workstationId: string | null;
  workstationLabel: string | null;
  appVersion: string | null;
}
