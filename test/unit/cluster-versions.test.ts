/**
 * One place pins Temporal (temporal-versions.json): the local cluster (`npm run cluster`) runs the same server,
 * admin tools and Web UI versions as the docker-compose deployment, on the release line of the dev server that
 * `npm start` and the tests run, so a feature cannot pass on one and fail on the other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../../dev/cluster/binaries.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';

const compose = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
const versions = JSON.parse(readFileSync(join(PROJECT_ROOT, 'temporal-versions.json'), 'utf8')) as { server: string; ui: string; devServerWheel: string; timeSkippingServerWheel: string };
const installed = JSON.parse(readFileSync(join(PROJECT_ROOT, '.tools', 'installed.json'), 'utf8')) as { pins: string[]; cli: string };

describe('Temporal versions', () => {
  it('the cluster builds the server and UI that temporal-versions.json pins', () => {
    expect(TEMPORAL_SERVER_VERSION).toBe(versions.server);
    expect(TEMPORAL_UI_VERSION).toBe(versions.ui);
  });

  it('every compose image is the pinned version: server and admin tools, and the Web UI', () => {
    const images = compose.match(/image: temporalio\/[a-z-]+:\S+/g) ?? [];
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const image of images) {
      const [, name, tag] = /temporalio\/([a-z-]+):(\S+)/.exec(image)!;
      expect(tag, image).toBe(name === 'ui' ? versions.ui : versions.server);
    }
  });

  it('the cluster and compose run the dev server\'s release line and its Web UI', () => {
    // `npm run setup` installed the pinned wheels; the CLI reports the server and UI it embeds.
    expect(installed.pins).toEqual([versions.devServerWheel, versions.timeSkippingServerWheel]);
    const [, devServer, devUi] = /Server (\d+\.\d+)\.\d+, UI (\S+?)\)/.exec(installed.cli) ?? [];
    expect(versions.server.startsWith(`${devServer}.`)).toBe(true);
    expect(versions.ui).toBe(devUi);
  });
});
