import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, type LogFormat } from './logger.js';

/** What one info line looks like on an output that is (or is not) a terminal. */
function line(format: LogFormat, isTTY: boolean): string {
  let text = '';
  const out = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  createLogger('info', format, out).info({ webhookId: 7 }, 'delivered');
  return text;
}

describe('the process log', () => {
  it('is JSON unless a person watches a terminal, pretty and coloured when one does', () => {
    assert.equal(JSON.parse(line('auto', false)).msg, 'delivered');
    const tty = line('auto', true);
    assert.match(tty, /INFO.*delivered/);
    const ESC = String.fromCharCode(27);
    assert.ok(tty.includes(`${ESC}[`), 'coloured');
    assert.ok(tty.includes(`webhookId${ESC}[39m: 7`), tty);
    assert.match(line('pretty', false), /INFO.*delivered/);
    assert.equal(JSON.parse(line('json', true)).webhookId, 7);
  });
});
