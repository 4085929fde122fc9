import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { storeContract } from './contract.js';
import type { OpenStore } from './fixtures.js';
import { portsContract } from './ports-contract.js';
import { queueContract } from './queue-contract.js';
import { registryContract } from './registry-contract.js';

const open: OpenStore = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-store-'));
  return { store: SqliteStore.open(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
};
storeContract('SQLite', open);
portsContract('SQLite', open);
registryContract('SQLite', open);
queueContract('SQLite', open);
