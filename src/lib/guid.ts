/**
 * Random (version 4) GUIDs, one for every delivery and cycle (the payload's EventId). `crypto.randomUUID()` builds its
 * text from ~20 joined pieces, ~570 bytes of garbage a GUID that ingestion makes 5,000 at a time (issue 22: it pushed
 * a batch's live objects into the old generation); here a batch of GUIDs is written as ASCII into one buffer, and each
 * call reads one 36-byte string out of it.
 */
import { randomFillSync } from 'node:crypto';

const BATCH = 256;
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const DASH = 0x2d;
const random = Buffer.alloc(16 * BATCH);
const text = Buffer.alloc(36 * BATCH);
let next = BATCH;

function writeBatch(): void {
  randomFillSync(random);
  let o = 0;
  for (let r = 0; r < random.length; r += 16) {
    random[r + 6] = ((random[r + 6] as number) & 0x0f) | 0x40; // version 4
    random[r + 8] = ((random[r + 8] as number) & 0x3f) | 0x80; // RFC 4122 variant
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) text[o++] = DASH;
      const b = random[r + i] as number;
      text[o++] = HEX[b >> 4] as number;
      text[o++] = HEX[b & 15] as number;
    }
  }
  next = 0;
}

/** `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`, lower case, as `crypto.randomUUID()` writes it. */
export function newGuid(): string {
  if (next === BATCH) writeBatch();
  const start = 36 * next++;
  return text.toString('latin1', start, start + 36);
}
