/**
 * `hookd listen`: a local receiver that prints each delivery (event, id, retry, whether the signature is
 * valid, the body) and can be told to fail, to watch retries happen.
 */
import { createServer } from 'node:http';
import type { Command } from 'commander';
import { verifySignature } from '../../signing/netserver.js';

interface ListenFlags {
  port: string;
  host: string;
  secret?: string;
  failRate: string;
  status?: string;
}

export function registerListenCommand(program: Command): void {
  program
    .command('listen')
    .description('run a local receiver that prints and verifies deliveries')
    .option('--port <port>', 'port to listen on', '9000')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--secret <secret>', "the webhook's Secret, to check X-SuperOffice-Signature")
    .option('--fail-rate <fraction>', 'answer 500 to this fraction of deliveries (0 to 1)', '0')
    .option('--status <code>', 'answer every delivery with this status')
    .action(async (flags: ListenFlags) => {
      const failRate = Number(flags.failRate);
      if (!(failRate >= 0 && failRate <= 1)) throw new Error(`--fail-rate must be between 0 and 1 (got '${flags.failRate}')`);
      const fixed = flags.status === undefined ? null : Number(flags.status);
      if (fixed !== null && !(Number.isInteger(fixed) && fixed >= 100 && fixed <= 599))
        throw new Error(`--status must be an HTTP status (got '${flags.status}')`);
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          const header = req.headers['x-superoffice-signature'] as string | undefined;
          const signature = flags.secret
            ? verifySignature(body, header, flags.secret)
              ? 'signature valid'
              : header
                ? 'SIGNATURE INVALID'
                : 'SIGNATURE MISSING'
            : header
              ? 'signature not checked (no --secret)'
              : 'unsigned';
          const status = req.headers['x-hook-test'] === 'true' ? 200 : (fixed ?? (Math.random() < failRate ? 500 : 200));
          let pretty = body.toString('utf8');
          try {
            pretty = JSON.stringify(JSON.parse(pretty), null, 2);
          } catch {
            // not JSON: print it as it came
          }
          console.log(
            `${new Date().toISOString()} ${req.method} ${req.url} event=${req.headers['x-superoffice-event'] ?? '-'} ` +
              `id=${req.headers['x-superoffice-eventid'] ?? '-'} retry=${req.headers['x-superoffice-retry'] ?? '-'}` +
              `${req.headers['x-hook-test'] === 'true' ? ' (test ping)' : ''} ${signature} -> ${status}\n${pretty}`,
          );
          res.statusCode = status;
          res.end(status < 300 ? 'ok' : 'failing on purpose');
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(Number(flags.port), flags.host, resolve);
      });
      console.log(`listening on http://${flags.host}:${(server.address() as { port: number }).port}/ (Ctrl-C to stop)`);
      process.on('SIGTERM', () => server.close(() => process.exit(0)));
      process.on('SIGINT', () => server.close(() => process.exit(0)));
    });
}
