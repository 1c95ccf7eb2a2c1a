/** `npm run openapi`: writes the start API's OpenAPI document to docs/openapi.json (committed; a test checks it). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from './openapi.js';

const OPENAPI_PATH = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));

writeFileSync(OPENAPI_PATH, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
