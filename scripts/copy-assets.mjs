// Copies what tsc does not: the SQL migrations, next to the compiled stores.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';

for (const store of ['sqlite', 'postgres']) {
  const from = `src/store/${store}/migrations`;
  let files = [];
  try {
    files = readdirSync(from);
  } catch {
    continue;
  }
  mkdirSync(`dist/store/${store}/migrations`, { recursive: true });
  for (const f of files) cpSync(`${from}/${f}`, `dist/store/${store}/migrations/${f}`);
}
