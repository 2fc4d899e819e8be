/**
 * The second step of a password sign-in, and enrolment, on the workstation. The ticket the backend answered stays
 * here (it never crosses to the renderer), as does the session an enrolment opened until its recovery codes have been
 * shown. The enrolment's QR code is drawn here, as SVG, from the otpauth URI: no request leaves the computer.
 */
import QRCode from 'qrcode';
import type { SessionState, SignInOutcome } from '../../../domain/api/groups/session';
import type { FactorKind, FactorMethod, SecondStep, SignInResponse } from '../../../domain/backend-api';
import { AppError, type Err } from '../../../domain/result';
import type { CoreContext } from '../context';

type Client = ReturnType<CoreContext['backend']['client']>;

const toAppError = (e: Err) => new AppError(e.code, e.message, e.retryable ?? false);

export class FactorFlow {
  private step: { ticket: string; remember: boolean; fromSession: boolean } | null = null;
  /** The session an enrolment at sign-in opened, begun once the recovery codes were shown. */
  private enrolled: SignInResponse | null = null;

  constructor(
    private readonly deps: {
      client: () => Client;
      open: (res: SignInResponse, remember: boolean) => Promise<SignInOutcome>;
      /** An enrolment from a session is over: the grace banner has nothing more to say. */
      enrolledInSession: () => SessionState;
    },
  ) {}

  begin(s: SecondStep, remember: boolean, fromSession = false): SignInOutcome {
    this.step = { ticket: s.ticket, remember, fromSession };
    this.enrolled = null;
    return {
      status: 'second-step',
      purpose: s.purpose,
      methods: s.methods,
      mailTo: s.mailTo,
      expiresAt: s.expiresAt,
    };
  }

  private ticket(): string {
    if (!this.step)
      throw new AppError('INVALID_REQUEST', 'Cette étape de connexion a expiré : reprenez depuis le début.');
    return this.step.ticket;
  }

  async sendCode() {
    const r = await this.deps.client().call('factorMailCode', { body: { ticket: this.ticket() } });
    if (!r.ok) throw toAppError(r);
    return r.value;
  }

  async submit(method: FactorMethod, code: string): Promise<SignInOutcome> {
    const r = await this.deps
      .client()
      .call('signInSecondFactor', { body: { ticket: this.ticket(), method, code } });
    if (!r.ok) throw toAppError(r);
    const remember = this.step?.remember ?? false;
    this.step = null;
    return this.deps.open(r.value, remember);
  }

  async startTotp(mailCode: string) {
    const r = await this.deps.client().call('enrolTotp', { body: { ticket: this.ticket(), mailCode } });
    if (!r.ok) throw toAppError(r);
    const qrSvg = await QRCode.toString(r.value.uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return { secret: r.value.secret, qrSvg };
  }

  async confirm(kind: FactorKind, code: string) {
    const r = await this.deps.client().call('enrolConfirm', { body: { ticket: this.ticket(), kind, code } });
    if (!r.ok) throw toAppError(r);
    this.enrolled = r.value.session ?? null;
    return { recoveryCodes: r.value.recoveryCodes };
  }

  async finish(): Promise<SignInOutcome> {
    const remember = this.step?.remember ?? false;
    const res = this.enrolled;
    this.step = null;
    this.enrolled = null;
    if (res) return this.deps.open(res, remember);
    return { status: 'signed-in', session: this.deps.enrolledInSession() };
  }

  async startFromSession(): Promise<SignInOutcome> {
    const r = await this.deps.client().call('startEnrolment');
    if (!r.ok) throw toAppError(r);
    return this.begin(r.value.secondStep, false, true);
  }

  /** Sign-out or a new sign-in: nothing pending survives. */
  clear() {
    this.step = null;
    this.enrolled = null;
  }
}
