/**
 * Management API request rate under autocannon on loopback: GET /api/v1/Webhook/{id} and POST
 * /api/v1/Webhook on hookd (SQLite), each as a ratio to a bare Fastify route measured in the same run.
 */
import autocannon from 'autocannon';
import { api, type CaseResult, median, progress, startHookdProcess, startProcess } from './lib.js';

const RUNS = 3;
const SECONDS = 4;
const CONNECTIONS = 32;

async function rate(url: string, method: 'GET' | 'POST', headers: Record<string, string>, body?: string): Promise<number> {
  const result = await autocannon({ url, method, headers, body, connections: CONNECTIONS, duration: SECONDS });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${method} ${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

export async function runApiRate(): Promise<CaseResult[]> {
  const receiver = await startProcess('bench/receiver.mjs');
  const bare = await startProcess('bench/bare-fastify.mjs');
  // Save-time pings off: this measures the API, not the receiver's answer to each ping.
  const hookd = await startHookdProcess({ HOOKD_SAVE_PING: '0' });
  const token = (await api(hookd.url, 'POST', '/api/v1/Auth/Tokens', { Name: 'bench' })).Token as string;
  const target = `http://127.0.0.1:${receiver.line}/hook`;
  const created = await api(hookd.url, 'POST', '/api/v1/Webhook', { Name: 'bench', Events: ['contact.created'], TargetUrl: target });
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const postBody = JSON.stringify({ Name: 'bench', Events: ['contact.created'], TargetUrl: target, Secret: 's' });
  const bareUrl = `http://127.0.0.1:${bare.line}`;

  const results: CaseResult[] = [];
  const cases = [
    { name: 'GET /api/v1/Webhook/{id}', method: 'GET' as const, path: `/api/v1/Webhook/${created.WebhookId}` },
    { name: 'POST /api/v1/Webhook', method: 'POST' as const, path: '/api/v1/Webhook' },
  ];
  let step = 0;
  for (const c of cases) {
    const h: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      progress('api rate', step++, cases.length * RUNS);
      b.push(await rate(`${bareUrl}${c.path}`, c.method, headers, c.method === 'POST' ? postBody : undefined));
      h.push(await rate(`${hookd.url}${c.path}`, c.method, headers, c.method === 'POST' ? postBody : undefined));
    }
    results.push({
      name: `management API: ${c.name}`,
      hookd: median(h),
      baselines: { 'bare Fastify route': median(b) },
      unit: 'requests/s',
    });
  }
  progress('api rate', cases.length * RUNS, cases.length * RUNS);
  for (const p of [receiver.child, bare.child, hookd.child]) p.kill();
  return results;
}
