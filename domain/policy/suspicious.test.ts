import { describe, expect, it } from 'vitest';
import { concurrentSessionsVerdict, failureFloodVerdict, userReportVerdict } from './suspicious';

const now = new Date('2026-11-22T13:05:00Z');
const ago = (min: number) => new Date(now.getTime() - min * 60_000);

describe('suspicious activity', () => {
  it('blocks at 20 failed sign-ins in 24 h, explaining it in French', () => {
    const fails = Array.from({ length: 20 }, (_, i) => ago(i * 30));
    const v = failureFloodVerdict(fails, now);
    expect(v?.cause).toBe('failures');
    expect(v?.explanation).toContain('20 tentatives de connexion ont échoué en moins de 24 heures');
  });
  it('takes a count from the database as well', () => {
    expect(failureFloodVerdict(20, now)?.cause).toBe('failures');
    expect(failureFloodVerdict(19, now)).toBeNull();
  });
  it('does not count failures older than 24 h, nor 19 failures', () => {
    expect(
      failureFloodVerdict(
        Array.from({ length: 19 }, (_, i) => ago(i)),
        now,
      ),
    ).toBeNull();
    expect(
      failureFloodVerdict(
        [
          ...Array.from({ length: 10 }, (_, i) => ago(i)),
          ...Array.from({ length: 10 }, (_, i) => ago(25 * 60 + i)),
        ],
        now,
      ),
    ).toBeNull();
  });
  it('uses the configured threshold', () => {
    expect(
      failureFloodVerdict([ago(1), ago(2), ago(3)], now, {
        failureThreshold: 3,
        failureWindowMs: 3600_000,
        concurrentSessionsRule: true,
      })?.explanation,
    ).toContain('3 tentatives');
  });
  it('blocks a password account open on two workstations at once, naming both', () => {
    const v = concurrentSessionsVerdict(
      { workstationId: 'b', workstationLabel: 'Comptoir 2', method: 'password', at: now },
      [{ workstationId: 'a', workstationLabel: 'Comptoir 1', method: 'password', startedAt: ago(10) }],
    );
    expect(v?.cause).toBe('concurrent_sessions');
    expect(v?.explanation).toContain('« Comptoir 1 » et « Comptoir 2 »');
    expect(v?.explanation).toContain('le 22/11/2026 à 14 h 05'); // Paris time
  });
  it('lets the same workstation open a second session, and card sign-ins elsewhere', () => {
    const sig = { workstationId: 'a', method: 'password' as const, at: now };
    expect(
      concurrentSessionsVerdict(sig, [{ workstationId: 'a', method: 'password', startedAt: ago(5) }]),
    ).toBeNull();
    expect(
      concurrentSessionsVerdict(sig, [{ workstationId: 'b', method: 'card', startedAt: ago(5) }]),
    ).toBeNull();
    expect(
      concurrentSessionsVerdict({ ...sig, method: 'card' }, [
        { workstationId: 'b', method: 'password', startedAt: ago(5) },
      ]),
    ).toBeNull();
    expect(
      concurrentSessionsVerdict(
        { ...sig, workstationId: 'c' },
        [{ workstationId: 'b', method: 'password', startedAt: ago(5) }],
        {
          failureThreshold: 20,
          failureWindowMs: 1,
          concurrentSessionsRule: false,
        },
      ),
    ).toBeNull();
  });
  it("explains a block asked by the user's own report and the ways out", () => {
    const v = userReportVerdict({
      reportedAt: now,
      event: { at: ago(60), label: 'Connexion par mot de passe' },
    });
    expect(v.cause).toBe('user_report');
    expect(v.explanation).toContain('à votre demande');
    expect(v.explanation).toContain('carte CPS');
  });
});
