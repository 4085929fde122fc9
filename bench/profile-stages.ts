/**
 * Splits a `--cpu-prof` profile of hookd by stage (issue 22: account for every microsecond): self time of
 * each sample goes to the first stage its stack matches, from the leaf up, so a library's time is charged
 * to the hookd code that called it. Samples before the first batch of events (start-up) are left out.
 *
 *   node --import tsx bench/profile-stages.ts prof/<file>.cpuprofile [DELIVERIES=20000]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Stages by what a frame's file or function says; the first match walking from the leaf to the root wins. */
const STAGES: Array<[string, (fn: string, url: string) => boolean]> = [
  ['idle', (fn) => fn === '(idle)'],
  ['garbage collector', (fn) => fn === '(garbage collector)'],
  [
    'ingestion (HTTP in, parse, validate)',
    (_fn, url) => /\/(fastify|avvio|find-my-way|light-my-request|secure-json|ajv|fast-json-stringify)\//.test(url),
  ],
  ['ingestion (HTTP in, parse, validate)', (_fn, url) => /\/(api|services)\/|domain\/(signal|input-guard|event-names)/.test(url)],
  ['store writes and reads (SQLite)', (_fn, url) => /\/store\//.test(url) || /better-sqlite3/.test(url)],
  ['body + signature', (_fn, url) => /domain\/payload|signing\//.test(url)],
  ['send (undici)', (_fn, url) => /\/undici\//.test(url) || /http-sender/.test(url)],
  ['attempt (plugins)', (_fn, url) => /delivery\/plugins/.test(url)],
  [
    'scheduling (worker, owner, settle)',
    (_fn, url) => /delivery\/(worker|owned-webhook)|domain\/(settlement|retry-policy|throttle)/.test(url),
  ],
  ['metrics and logging', (_fn, url) => /prom-client|pino|\/metrics\//.test(url)],
  // Node's own code and native builtins (url ''): charged to the stage that called them.
  ['node internals (net, streams, timers, events)', (fn, url) => /^node:/.test(url) || (url === '' && !fn.startsWith('('))],
  ['program', (fn) => fn === '(program)'],
];

const NODE = 'node internals (net, streams, timers, events)';

export function stages(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = stageOf.get(id);
    if (known) return known;
    let at: number | undefined = id;
    let stage: string | null = null;
    let fallback = 'other';
    // Node's own frames (net, streams, timers) are charged to the first caller above them that is a stage.
    while (at !== undefined && stage === null) {
      const { functionName, url } = byId.get(at)!.callFrame;
      const hit = STAGES.find(([, match]) => match(functionName, url));
      if (hit && hit[0] === NODE) fallback = fallback === 'other' ? NODE : fallback;
      else if (hit) stage = hit[0];
      at = parent.get(at);
    }
    stage ??= fallback;
    stageOf.set(id, stage);
    return stage;
  };
  // The run starts at the first batch of events: start-up and module loading before it are not a delivery's cost.
  const inRun = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.functionName === 'signalMany') return true;
    }
    return false;
  };
  const first = profile.samples.findIndex(inRun);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (i < first) return;
    const s = resolve(id);
    totals.set(s, (totals.get(s) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Profile;
  const deliveries = Number(process.argv[3] ?? 20_000);
  const totals = stages(profile);
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  const busy = all - (totals.get('idle') ?? 0);
  console.log(`profile: ${(all / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s; per delivery ${(busy / deliveries).toFixed(1)} µs`);
  for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1])) {
    console.log(
      `${name.padEnd(48)} ${((100 * us) / all).toFixed(1).padStart(5)} %  ${name === 'idle' ? '' : `${(us / deliveries).toFixed(1).padStart(6)} µs/delivery`}`,
    );
  }
}
