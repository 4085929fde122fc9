// Prints the functions with the most self time in a .cpuprofile: node scripts/profile-top.mjs FILE [N]
import { readFileSync } from 'node:fs';

const [file, n = '30'] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((node) => [node.id, node]));
const self = new Map();
let total = 0;
p.samples.forEach((id, i) => {
  const t = p.timeDeltas[i] ?? 0;
  total += t;
  const f = byId.get(id).callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
});
console.log(`total ${(total / 1e6).toFixed(2)} s`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
  console.log(`${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
