// The baseline for the API benchmark: a bare Fastify route answering a JSON object of the same size.
import Fastify from 'fastify';

const app = Fastify();
const body = {
  WebhookId: 1,
  Name: 'bench',
  Events: ['contact.created'],
  TargetUrl: 'http://127.0.0.1:9/x',
  State: 'Active',
  Type: 'webhook',
};
app.get('/api/v1/Webhook/:id', async () => body);
app.post('/api/v1/Webhook', async (req) => ({ ...body, ...req.body }));
// The ingestion baseline: parse the JSON body and answer 204, as hookd's event routes do (without storing).
app.post('/api/v1/Webhook/Events', async (req, reply) => reply.code(204).header('X-Hookd-Deliveries', String(req.body.length)).send());
app.post('/api/v1/Webhook/:event/:key', async (_req, reply) => reply.code(204).send());
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(app.server.address().port);
