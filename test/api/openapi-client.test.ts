/**
 * The OpenAPI document is valid (an independent validator), every route describes its answers, and a typed
 * client generated from it (openapi-typescript) compiles strictly and works against a running hookd.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { validate } from '@readme/openapi-parser';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { basic, call, startHookd, type TestServer, webhookBody } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;
let doc: any;
const dir = mkdtempSync(join(tmpdir(), 'hookd-openapi-'));

before(async () => {
  receiver = await Receiver.start();
  server = await startHookd();
  doc = (await call(server.url, 'GET', '/api/v1/openapi.json', { auth: null })).json;
});
after(async () => {
  await server.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const CLIENT = `
import type { paths } from './api.js';

type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;
export type Webhook = Get<'/api/v1/Webhook/{id}'>;
export type WebhookList = Get<'/api/v1/Webhook'>;
export type Stats = Get<'/api/v1/Webhook/{id}/Stats'>;

export async function getWebhook(base: string, auth: string, id: number): Promise<Webhook> {
  const res = await fetch(base + '/api/v1/Webhook/' + id, { headers: { Authorization: auth } });
  return (await res.json()) as Webhook;
}

export async function listNames(base: string, auth: string): Promise<Array<string | null>> {
  const res = await fetch(base + '/api/v1/Webhook', { headers: { Authorization: auth } });
  const list = (await res.json()) as WebhookList;
  return list.map((w) => w.Name ?? null);
}

export async function attemptsToday(base: string, auth: string, id: number): Promise<number> {
  const res = await fetch(base + '/api/v1/Webhook/' + id + '/Stats?Since=24h&Bucket=1d', { headers: { Authorization: auth } });
  const stats = (await res.json()) as Stats;
  return stats.Buckets.reduce((n, b) => n + b.Attempts, 0);
}

/** Property types the generator must have got right, or this does not compile. */
export function summary(w: Webhook): { name: string | null; calls: number | null; self: string | undefined; mask: string | undefined } {
  return { name: w.Name, calls: w.TotalCalls, self: w._Links?.Self, mask: w.TableRight?.Mask };
}
`;

describe('the OpenAPI document', () => {
  it('passes an independent OpenAPI validator', async () => {
    const result = await validate(structuredClone(doc));
    assert.equal(result.valid, true, JSON.stringify(result));
    assert.equal(doc.openapi, '3.1.0');
  });

  it('describes a request and an answer for every route', () => {
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses ?? {});
        const success = codes.filter((c) => /^2\d\d$/.test(c));
        if (success.length === 0) missing.push(`${method.toUpperCase()} ${path}: no success answer`);
        for (const c of success) {
          if (c !== '204' && !op.responses[c].content?.['application/json']?.schema)
            missing.push(`${method.toUpperCase()} ${path}: ${c} has no schema`);
        }
        if (!codes.includes('4XX') && !codes.includes('4xx')) missing.push(`${method.toUpperCase()} ${path}: no error answer`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('generates a typed client (openapi-typescript) that compiles strictly and calls hookd', async () => {
    writeFileSync(join(dir, 'api.d.ts'), astToString(await openapiTS(doc)));
    writeFileSync(join(dir, 'client.ts'), CLIENT);
    const program = ts.createProgram([join(dir, 'client.ts')], {
      strict: true,
      noUncheckedIndexedAccess: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      outDir: dir,
      skipLibCheck: true,
    });
    const emitted = program.emit();
    const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
      ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    );
    assert.deepEqual(diagnostics, []);
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');

    const created = await call(server.url, 'POST', '/api/v1/Webhook', { body: webhookBody(`${receiver.url}/typed`, { Name: 'typed' }) });
    const client = await import(pathToFileURL(join(dir, 'client.js')).href);
    const w = await client.getWebhook(server.url, basic(), created.json.WebhookId);
    assert.deepEqual(client.summary(w), {
      name: 'typed',
      calls: 0,
      self: `${server.url}/api/v1/Webhook/${created.json.WebhookId}`,
      mask: 'Select, Update, Insert, Delete',
    });
    assert.ok((await client.listNames(server.url, basic())).includes('typed'));
    assert.equal(await client.attemptsToday(server.url, basic(), created.json.WebhookId), 0);
  });
});
