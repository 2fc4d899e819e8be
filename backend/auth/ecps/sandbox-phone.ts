/** The sandbox's « phone »: the page where the demo (or a test) approves or refuses a pending e-CPS request. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PendingEcpsRequest, PscPerson } from './sandbox';

export const PHONE_PATH = '/_phone';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function phonePage(list: PendingEcpsRequest[], people: Map<string, PscPerson>): string {
  const items = list
    .map((r) => {
      const p = people.get(r.nationalId);
      const who = p ? `${p.givenName} ${p.familyName}` : r.nationalId;
      return (
        `<li><p><strong>${esc(who)}</strong> (${esc(r.nationalId)})<br>Code affiché : <strong>${esc(r.bindingMessage ?? '—')}</strong>` +
        `<br>Expire à ${esc(r.expiresAt.toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris' }))}</p>` +
        `<form method="post" action="${PHONE_PATH}/approve/${esc(r.authReqId)}"><button>Valider</button></form> ` +
        `<form method="post" action="${PHONE_PATH}/refuse/${esc(r.authReqId)}"><button>Refuser</button></form></li>`
      );
    })
    .join('');
  return (
    `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>e-CPS (bac à sable)</title>` +
    `<style>body{font:16px system-ui;max-width:28rem;margin:2rem auto}li{list-style:none;border:1px solid #ccc;border-radius:8px;padding:.5rem 1rem;margin:.5rem 0}form{display:inline}</style></head>` +
    `<body><h1>e-CPS — bac à sable Pro Santé Connect</h1>${items ? `<ul>${items}</ul>` : '<p>Aucune demande de connexion en attente.</p>'}</body></html>`
  );
}

/** What the page needs from the sandbox. */
export interface Phone {
  issuer: string;
  list(): PendingEcpsRequest[];
  approve(authReqId: string): Promise<unknown>;
  refuse(authReqId: string): Promise<unknown>;
  people: Map<string, PscPerson>;
}

/** The "phone" for the demo and for tests in another process: a page and a small JSON API. */
export async function servePhone(req: IncomingMessage, res: ServerResponse, phone: Phone) {
  const { issuer, list, approve, refuse, people } = phone;
  const url = new URL(req.url ?? '/', issuer);
  const m = url.pathname.slice(PHONE_PATH.length).match(/^\/(approve|refuse)\/([\w-]+)$/);
  if (req.method === 'POST' && m) {
    const ok = await (m[1] === 'approve' ? approve(m[2]!) : refuse(m[2]!)).then(
      () => true,
      () => false,
    );
    if ((req.headers.accept ?? '').includes('application/json')) {
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok }));
    } else {
      res.writeHead(303, { location: PHONE_PATH }).end();
    }
    return;
  }
  if (req.method === 'GET' && url.pathname === `${PHONE_PATH}/pending.json`) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list()));
    return;
  }
  if (req.method === 'GET' && (url.pathname === PHONE_PATH || url.pathname === `${PHONE_PATH}/`)) {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    });
    res.end(phonePage(list(), people));
    return;
  }
  res.writeHead(404).end();
}
