import { arch, platform, release } from 'node:os';
import type { Reminder } from '../../../domain/api/groups/reminders';
import type { CardState } from '../../../domain/card';
import type { KeychainStatus } from '../secrets/secret-store';
import type { SettingsRecovery } from '../settings/settings-store';
import type { WorkstationInfo } from '../workstation/identity';
import type { LogLine } from './logger';

/**
 * "Copy diagnostics" (settings): what support needs to understand a workstation, as plain text the person pastes
 * into a mail. Versions, readers seen, card process restarts, keychain, settings recoveries, reminder health,
 * last errors. No PIN, token, password or personal data: no account names or ids, no card holder, no
 * identifiers; free-text error messages go through `scrub`.
 */
export interface DiagnosticsInput {
  now: Date;
  appVersion: string;
  mode: 'electron' | 'browser';
  versions: { node: string; electron?: string; chrome?: string };
  settingsFormat: string;
  recoveries: readonly SettingsRecovery[];
  keychain: KeychainStatus | null;
  workstation: Pick<WorkstationInfo, 'id' | 'label' | 'registeredAt' | 'revokedAt' | 'canSign'> | null;
  backend: { mode: string; reachable: boolean; address?: string } | null;
  card: CardState | null;
  /** Reader names seen since the start, present or not now. */
  readersSeen?: readonly string[];
  cardProcessRestarts?: number | null;
  reminders: readonly Reminder[];
  remindersLastRefreshAt: string | null;
  recentLog: readonly LogLine[];
}

/** Removes what could identify a person from free text: e-mails, long digit runs (RPPS, NIR, FINESS), tokens. */
export function scrub(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+\.[\w.-]+/g, '[e-mail]')
    .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[token]')
    .replace(/\b[A-Za-z0-9_-]{32,}\b/g, '[token]')
    .replace(/\d{6,}/g, '[number]')
    .replace(/\bpin\b\s*[:=]\s*\S+/gi, 'pin=[redacted]');
}

export function formatDiagnostics(d: DiagnosticsInput): string {
  const lines: string[] = [];
  const v = d.versions;
  lines.push(`Vigie ${d.appVersion} — diagnostics ${d.now.toISOString()}`);
  lines.push(
    `mode: ${d.mode}; node ${v.node}${v.electron ? `; electron ${v.electron}` : ''}${v.chrome ? `; chrome ${v.chrome}` : ''}`,
  );
  lines.push(`system: ${platform()} ${release()} ${arch()}`);
  lines.push(
    `settings: format ${d.settingsFormat}; recoveries: ${d.recoveries.length === 0 ? 'none' : d.recoveries.map((r) => `${r.at} ${r.reason} → ${r.restoredFrom}`).join(', ')}`,
  );
  lines.push(
    `keychain: ${d.keychain === null ? 'not checked' : d.keychain.available ? 'available' : `unavailable (${scrub(d.keychain.reason)}) — "remember me" off`}`,
  );
  if (d.workstation) {
    const w = d.workstation;
    lines.push(
      `workstation: id ${w.id}; label "${w.label}"; registered ${w.registeredAt ?? 'no'}; revoked ${w.revokedAt ?? 'no'}; can sign ${w.canSign ? 'yes' : 'no'}`,
    );
  } else lines.push('workstation: not set up');
  lines.push(
    d.backend
      ? `backend: ${d.backend.mode}; ${d.backend.reachable ? 'reachable' : 'unreachable'}${d.backend.address ? ` (${d.backend.address})` : ''}`
      : 'backend: unknown',
  );
  if (d.card) {
    lines.push(
      `card service: ${d.card.status}; readers now: ${d.card.readers.length === 0 ? 'none' : d.card.readers.map((r) => `${JSON.stringify(r.name)} (${r.slot}${r.card ? `, ${r.card.kind}` : ''})`).join(', ')}`,
    );
  } else lines.push('card service: unknown');
  if (d.readersSeen && d.readersSeen.length > 0)
    lines.push(`readers seen since start: ${d.readersSeen.map((n) => JSON.stringify(n)).join(', ')}`);
  lines.push(`card process restarts: ${d.cardProcessRestarts ?? 'n/a'}`);
  // The reminders list also carries the CPS cards nearing their end: counted apart, never named.
  const accounts = d.reminders.filter((r) => !r.card);
  const cards = d.reminders.length - accounts.length;
  const counts = new Map<string, number>();
  for (const r of accounts) counts.set(r.urgency, (counts.get(r.urgency) ?? 0) + 1);
  const stale = accounts.some((r) => r.stale);
  lines.push(
    `reminders: ${accounts.length} account(s) followed${counts.size ? ` (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}; status ${stale ? 'STALE' : 'fresh'}; last refresh ${d.remindersLastRefreshAt ?? 'never'}${cards ? `; ${cards} card(s) ending within 60 days` : ''}`,
  );
  lines.push(`last errors (${d.recentLog.length}):`);
  for (const l of d.recentLog.slice(-10))
    lines.push(`  ${l.at} ${l.level} ${scrub(l.msg)}${l.code ? ` [${l.code}]` : ''}`);
  return lines.join('\n');
}
