/**
 * SQLite's refill writes the payload's strings with json_quote (store/sqlite/queue.ts), and the signalled event with
 * JSON.stringify (domain/stored-event.ts): the signed bytes are the same only if the two agree on every character.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import Database from 'better-sqlite3';

it("SQLite's json_quote writes every character as JSON.stringify does", () => {
  const db = new Database(':memory:');
  const quote = db.prepare('SELECT json_quote(?)').pluck();
  const differ: string[] = [];
  // Every UTF-16 code unit but the surrogates (the stores keep U+FFFD for a lone one), then astral characters.
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const text = `a${String.fromCharCode(c)}b`;
    if (quote.get(text) !== JSON.stringify(text)) differ.push(c.toString(16));
  }
  for (const text of ['😀', '\u{10ffff}', '', 'q"uote\\', '\u2028\u2029', '</script>'])
    if (quote.get(text) !== JSON.stringify(text)) differ.push(JSON.stringify(text));
  db.close();
  assert.deepEqual(differ, []);
});
