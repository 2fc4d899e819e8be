// What a newcomer checks after `npm start` in browser mode: the page loads, the core answers over the renderer
// API as the page would, the embedded backend is up, and the demo reader reads Claire MARTIN's virtual CPS card.
//
//   node scripts/smoke-start.mjs 'http://127.0.0.1:<port>/#token=<token>'
//
// Exits 1 with what failed. Used by scripts/fresh-machine.sh after the README's first command.
import WebSocket from 'ws';

const url = new URL(process.argv[2] ?? '');
const token = new URLSearchParams(url.hash.slice(1)).get('token');
const origin = url.origin;
const fail = (what) => {
  console.error(`smoke-start: ${what}`);
  process.exit(1);
};
if (!token) fail('usage: node scripts/smoke-start.mjs <the URL printed by « Vigie is ready »>');

const page = await fetch(origin + '/');
const html = await page.text();
if (page.status !== 200 || !html.includes('<div id="root">')) fail(`the page answered ${page.status}`);

const ws = new WebSocket(`${origin.replace('http', 'ws')}/api?token=${token}`, { origin });
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
let next = 1;
const waiting = new Map();
ws.on('message', (d) => {
  const msg = JSON.parse(String(d));
  if (msg.t === 'result') waiting.get(msg.id)?.(msg.res);
});
const call = (ch, req) =>
  new Promise((resolve) => {
    const id = next++;
    waiting.set(id, resolve);
    ws.send(JSON.stringify({ t: 'call', id, ch, req }));
  });
const value = async (ch, req) => {
  const r = await call(ch, req);
  if (!r.ok) fail(`${ch} answered ${r.code}: ${r.message}`);
  return r.value;
};

const info = await value('app.getInfo');
if (!info.demo) fail('the app did not start in demo mode');
const deadline = Date.now() + 30_000;
let backend;
do {
  backend = await value('backend.getStatus');
  if (!backend.reachable) await new Promise((r) => setTimeout(r, 500));
} while (!backend.reachable && Date.now() < deadline);
if (!backend.reachable) fail('the embedded backend is not reachable');

const people = await value('demo.people');
const holder = people.people.find((p) => p.hasCard);
if (!people.available || !holder) fail('no demo person with a card');
await value('demo.insertCard', { personId: holder.id, profile: 'cps3' });
let state;
do {
  state = await value('card.getState');
  if (state.status !== 'present') await new Promise((r) => setTimeout(r, 250));
} while (state.status !== 'present' && Date.now() < deadline);
if (state.status !== 'present')
  fail(`the demo reader did not see the demo card (card state: ${state.status})`);
const read = await value('card.readHolder');
await value('demo.removeCard');
ws.close();
console.log(
  `smoke-start: page served, backend ${backend.mode} reachable, reader « ${state.activeReader} » read the card of ` +
    `${read.firstName} ${read.lastName} (${state.readers.find((r) => r.name === state.activeReader)?.card?.kind})`,
);
