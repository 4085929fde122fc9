// Runs every *.test.ts under src/ and test/ with Node's own test runner (Node 20 does not expand globs).
// With HOOKD_TEST_DATABASE_URL set, the API and delivery suites run a second time on PostgreSQL.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function run(files, env) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
    stdio: 'inherit',
    env: { ...process.env, HOOKD_LOG_LEVEL: process.env.HOOKD_LOG_LEVEL ?? 'silent', ...env },
  });
  return result.status ?? 1;
}

const only = process.argv.slice(2);
if (only.length > 0) process.exit(run(only, {}));

const all = [...find('src'), ...find('test')].sort();
let status = run(all, { HOOKD_TEST_STORE: 'sqlite' });
if (process.env.HOOKD_TEST_DATABASE_URL) {
  console.log('\nAgain on PostgreSQL: the API and delivery suites (HOOKD_TEST_DATABASE_URL is set)\n');
  status ||= run([...find('test/api'), ...find('test/delivery')].sort(), { HOOKD_TEST_STORE: 'postgres' });
} else {
  console.log('\nPostgreSQL suites skipped: HOOKD_TEST_DATABASE_URL is not set (.ci/run starts a server and sets it).');
}
process.exit(status);
