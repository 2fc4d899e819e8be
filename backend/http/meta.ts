/** What a request says about where it comes from; recorded in events, never trusted for authorisation. */
export interface RequestMeta {
  ip: string | null;
  workstationId: string | null;
  workstationLabel: string | null;
  appVersion: string | null;
  /**
   * A workstation's proof of the request (checked against its key where the workstation is read): the signed
   * time, nonce and signature, and what the request was (method, path with query, SHA-256 of its body, base64url).
   */
  proof?: {
    time: string;
    nonce: string;
    signature: string;
    method: string;
    path: string;
    bodySha256: string;
  } | null;
}
