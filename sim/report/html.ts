/**
 * The report: one static HTML file with inline SVG charts (no script, no CDN: it opens offline), written from the
 * figures of the Vigie run and of the baseline.
 */
import type { RunFigures, Story } from './figures';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Grouped vertical bars: one group per label, one bar per series. */
export function barChart(o: {
  title: string;
  labels: string[];
  series: { name: string; color: string; values: number[] }[];
  width?: number;
  height?: number;
}): string {
  const W = o.width ?? 900;
  const H = o.height ?? 260;
  const m = { l: 40, r: 10, t: 30, b: 60 };
  const max = Math.max(1, ...o.series.flatMap((s) => s.values));
  const gw = (W - m.l - m.r) / Math.max(1, o.labels.length);
  const bw = Math.max(1, (gw * 0.8) / o.series.length);
  const y = (v: number) => m.t + (H - m.t - m.b) * (1 - v / max);
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(o.title)}</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = Math.round((max * k) / 4);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 4}" y="${y(v) + 4}" text-anchor="end" font-size="10">${v}</text>`);
  }
  o.labels.forEach((label, i) => {
    o.series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const x = m.l + i * gw + gw * 0.1 + j * bw;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(H - m.b - y(v)).toFixed(1)}" fill="${s.color}"><title>${esc(s.name)} ${esc(label)}: ${v}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${(m.l + i * gw + gw / 2).toFixed(1)}" y="${H - m.b + 12}" font-size="9" text-anchor="end" transform="rotate(-45 ${(m.l + i * gw + gw / 2).toFixed(1)} ${H - m.b + 12})">${esc(label)}</text>`,
    );
  });
  o.series.forEach((s, j) => {
    parts.push(`<rect x="${m.l + j * 120}" y="${H - 14}" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${m.l + j * 120 + 14}" y="${H - 5}" font-size="11">${esc(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="system-ui, sans-serif" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg>`;
}

/** One row per path: every unblock as a dot, the median as a bar. */
export function stripChart(o: {
  title: string;
  rows: { name: string; values: number[]; color: string }[];
}): string {
  const W = 900;
  const rowH = 34;
  const m = { l: 130, r: 20, t: 30, b: 30 };
  const H = m.t + m.b + rowH * Math.max(1, o.rows.length);
  const max = Math.max(1, ...o.rows.flatMap((r) => r.values));
  const x = (v: number) => m.l + (W - m.l - m.r) * (v / max);
  const parts: string[] = [
    `<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(o.title)}</text>`,
  ];
  for (let k = 0; k <= 5; k++) {
    const v = Math.round(((max * k) / 5) * 10) / 10;
    parts.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    parts.push(`<text x="${x(v)}" y="${H - m.b + 14}" font-size="10" text-anchor="middle">${v} d</text>`);
  }
  o.rows.forEach((r, i) => {
    const cy = m.t + rowH * i + rowH / 2;
    parts.push(
      `<text x="${m.l - 8}" y="${cy + 4}" text-anchor="end" font-size="12">${esc(r.name)} (${r.values.length})</text>`,
    );
    const s = [...r.values].sort((a, b) => a - b);
    const med = s.length ? s[Math.floor((s.length - 1) / 2)]! : 0;
    parts.push(
      `<rect x="${m.l}" y="${cy - 6}" width="${(x(med) - m.l).toFixed(1)}" height="12" fill="${r.color}" opacity="0.35"><title>median ${med} days</title></rect>`,
    );
    r.values.forEach((v, k) => {
      parts.push(
        `<circle cx="${x(v).toFixed(1)}" cy="${(cy + ((k % 5) - 2) * 2).toFixed(1)}" r="2.5" fill="${r.color}"/>`,
      );
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="system-ui, sans-serif" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg>`;
}

function storyRows(stories: Story[]): string {
  return stories
    .sort((a, b) => a.remindersDelivered - b.remindersDelivered || a.blockedAt.localeCompare(b.blockedAt))
    .map((s) => {
      const delivered =
        s.delivered
          .map((d) => `${d.channel} D-${d.days} (${d.at.slice(0, 10)}, ${esc(d.where)})`)
          .join('<br>') || '—';
      const missedItems = [...new Map(s.missed.map((m) => [`${m.channel}|${m.days}|${m.why}`, m])).values()];
      const missed =
        missedItems.map((m) => `${m.channel}${m.days ? ` D-${m.days}` : ''}: ${esc(m.why)}`).join('<br>') ||
        '—';
      return `<tr class="${s.remindersDelivered < 3 ? 'few' : ''}"><td>${esc(s.who)}<br><small>${esc(s.pharmacy)} · ${esc(s.cadence)}</small></td><td>${s.blockedAt.slice(0, 10)}</td><td>${s.neededAt?.slice(0, 10) ?? 'not yet'}</td><td>${s.remindersDelivered}</td><td>${delivered}</td><td>${missed}</td><td>${s.path ?? '—'} ${s.daysBlocked !== null ? `after ${s.daysBlocked} d` : '(still blocked)'}</td></tr>`;
    })
    .join('');
}

export interface ReportInput {
  vigie: RunFigures | null;
  baseline: RunFigures | null;
  assumptions: string[];
  machine: Record<string, unknown>;
  createdAt: string;
  totalRuntimeMs: number;
}

export function renderReport(r: ReportInput): string {
  const main = r.vigie ?? r.baseline!;
  const months = Object.keys(main.surprisePerMonth);
  const series = [
    ...(r.vigie
      ? [
          {
            name: 'with Vigie',
            color: '#1f6feb',
            values: months.map((k) => r.vigie!.surprisePerMonth[k] ?? 0),
          },
        ]
      : []),
    ...(r.baseline
      ? [
          {
            name: 'baseline (no reminders)',
            color: '#d1242f',
            values: months.map((k) => r.baseline!.surprisePerMonth[k] ?? 0),
          },
        ]
      : []),
  ];
  const colors: Record<string, string> = {
    card: '#1f6feb',
    ecps: '#8250df',
    security_key: '#1a7f37',
    postal_code: '#bf8700',
  };
  const strip = (f: RunFigures) =>
    stripChart({
      title: `Time from block to unblock, by path (${f.label})`,
      rows: Object.entries(f.unblock.byPath).map(([name, p]) => ({
        name,
        values: p.days,
        color: colors[name] ?? '#555',
      })),
    });
  const row = (name: string, get: (f: RunFigures) => unknown) =>
    `<tr><th>${esc(name)}</th>${r.vigie ? `<td>${esc(get(r.vigie))}</td>` : ''}${r.baseline ? `<td>${esc(get(r.baseline))}</td>` : ''}</tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigie — the promise, measured (seed ${main.options.seed})</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}tr.few td{background:#fff1f0}small{color:#57606a}.goal{color:#1a7f37}
</style></head><body>
<h1>The promise, measured</h1>
<p>${main.options.pharmacies} pharmacies over ${main.options.years} year(s), seed ${main.options.seed}, database ${esc(main.options.db)}${main.options.keepFollowedStatuses ? '; product variant: workstations keep the statuses of every account they follow' : ''}${main.options.reminderDays ? `; app reminders at D-${main.options.reminderDays.join(', D-')}` : ''}${main.options.mailReminderDays ? `; mails at D-${main.options.mailReminderDays.join(', D-')}` : ''}.
Created ${esc(r.createdAt)}; total runtime ${(r.totalRuntimeMs / 1000).toFixed(0)} s.</p>
<h2>Headline</h2>
<table><tr><th></th>${r.vigie ? '<th>with Vigie</th>' : ''}${r.baseline ? '<th>baseline (amelipro rules alone)</th>' : ''}</tr>
${row('accounts', (f) => f.population.accounts)}
${row('surprise blocks (owner needed the account later)', (f) => f.blocks.surprise)}
${row('… of which still blocked at the end', (f) => f.blocks.surpriseStillBlockedAtEnd)}
${row('surprise blocks with fewer than 3 reminders delivered (goal 0)', (f) => f.blocks.surpriseFewerThan3Reminders)}
${row('blocks of accounts nobody needs any more (the rule working)', (f) => f.blocks.notNeeded)}
${row('blocks caused by strangers (goal 0)', (f) => f.blocks.byStranger)}
${row('lock-outs caused by strangers (goal 0)', (f) => f.strangers.lockouts)}
${row('attack campaigns', (f) => f.strangers.campaigns)}
${row('median days spent blocked (surprise blocks)', (f) => f.unblock.medianDaysBlocked ?? '—')}
${row('median days from the first need to the unblock (kept out)', (f) => f.unblock.medianDaysKeptOut ?? '—')}
${row('mails per account per year', (f) => f.mails.perAccountYear)}
${row('sign-ins through the API', (f) => f.signIns)}
${row('runtime (s)', (f) => (f.runtimeMs / 1000).toFixed(0))}
${row('simulated pharmacy-days per second', (f) => f.pharmacyDaysPerSecond)}
${row('hash chains verified / failed / not checked', (f) => `${f.chains.verified} / ${f.chains.failed.length} / ${f.chains.skipped}`)}
</table>
<h2>Surprise blocks per month</h2>
${barChart({ title: 'Surprise blocks per month', labels: months, series })}
<h2>From block to unblock</h2>
${r.vigie ? strip(r.vigie) : ''}
${r.baseline ? strip(r.baseline) : ''}
${
  r.vigie
    ? `<h2>Every surprise block with Vigie, and its story</h2>
<p>Rows in red: fewer than 3 reminders delivered before the block (a finding about Vigie). "Delivered" counts distinct
reminders (D-30, D-14, D-7, D-3, D-1) the owner saw before the block, whatever the channel.</p>
<table><tr><th>who</th><th>blocked</th><th>needed</th><th>reminders delivered</th><th>delivered (channel, when, where)</th><th>shown or sent but missed</th><th>way out</th></tr>
${storyRows(r.vigie.stories)}</table>`
    : ''
}
<h2>Strangers</h2>
<table><tr><th>attack</th>${r.vigie ? '<th>with Vigie</th>' : ''}${r.baseline ? '<th>baseline</th>' : ''}</tr>
${['forged-card', 'password-flood', 'ecps-push', 'postal-spoil'].map((k) => row(k, (f) => f.strangers.byKind[k] ?? 0)).join('')}
</table>
<h2>Assumptions</h2>
<ul>${r.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
<h2>Machine</h2>
<pre>${esc(JSON.stringify(r.machine, null, 2))}</pre>
</body></html>
`;
}
