/** The process log: JSON lines for machines, pretty coloured lines when a person watches a terminal. */
import type { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

const REDACT = ['req.headers.authorization', '*.secret', '*.Secret', '*.password'];

export type LogFormat = 'auto' | 'json' | 'pretty';

export function createLogger(level: string, format: LogFormat, out: Writable & { isTTY?: boolean } = process.stdout): Logger {
  const options = { level, redact: REDACT };
  const isTty = Boolean(out.isTTY);
  if (format === 'json' || (format === 'auto' && !isTty)) return pino(options, out);
  // Synchronous: a crash must not lose its last lines in a worker thread's buffer.
  return pino(options, pretty({ colorize: isTty, sync: true, destination: out, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}
