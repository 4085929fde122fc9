import { describe, it } from 'node:test';
import { POSTGRES_URL, freshPostgres } from '../helpers/stores.js';
import { storeContract } from './contract.js';
import type { OpenStore } from './fixtures.js';
import { portsContract } from './ports-contract.js';
import { queueContract } from './queue-contract.js';
import { registryContract } from './registry-contract.js';

if (POSTGRES_URL) {
  const open: OpenStore = async () => {
    const { store, drop } = await freshPostgres();
    return { store, cleanup: drop };
  };
  storeContract('PostgreSQL', open);
  portsContract('PostgreSQL', open);
  registryContract('PostgreSQL', open);
  queueContract('PostgreSQL', open);
} else {
  describe('Store contract: PostgreSQL', () => {
    it('is skipped: set HOOKD_TEST_DATABASE_URL to a PostgreSQL server (.ci/run starts one)', { skip: true }, () => undefined);
  });
}
