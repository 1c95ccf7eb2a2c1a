/**
 * The local cluster (`npm run cluster`) runs the same Temporal server, admin tools and Web UI versions as the
 * docker-compose deployment: the build script, the code that locates the binaries and the compose images agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../../dev/cluster/binaries.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';

const compose = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
const buildScript = readFileSync(join(PROJECT_ROOT, 'scripts', 'build-temporal-server.mjs'), 'utf8');

describe('cluster versions', () => {
  it('builds the server and SQL tool at the version of the compose images', () => {
    expect(compose).toContain(`image: temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(compose).toContain(`image: temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(compose.match(/image: temporalio\/(server|admin-tools):[\d.]+/g)?.every((i) => i.endsWith(TEMPORAL_SERVER_VERSION))).toBe(true);
    expect(buildScript).toContain(`export const TEMPORAL_SERVER_VERSION = '${TEMPORAL_SERVER_VERSION}';`);
  });

  it('builds the Web UI server at the version of the compose UI image', () => {
    expect(compose).toContain(`image: temporalio/ui:${TEMPORAL_UI_VERSION}`);
    expect(buildScript).toContain(`export const TEMPORAL_UI_VERSION = '${TEMPORAL_UI_VERSION}';`);
  });
});
