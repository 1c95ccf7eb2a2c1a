/**
 * Checking values against the committed OpenAPI document: a component schema becomes a zod schema
 * (`z.fromJSONSchema`), with `#/components/schemas/X` references resolved through `$defs`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

export const committedOpenApi = (): OpenApiDocument =>
  JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as OpenApiDocument;

export function componentValidator(doc: OpenApiDocument, ref: string): z.ZodType {
  const id = ref.replace('#/components/schemas/', '');
  const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/')) as Record<string, Record<string, unknown>>;
  return z.fromJSONSchema({ ...defs[id], $defs: defs });
}

/** The operation for a concrete request: `/onboardings/acme-1/offboard` matches `/onboardings/{customerRef}/offboard`. */
export function operationFor(doc: OpenApiDocument, method: string, path: string) {
  const bare = path.split('?')[0]!;
  for (const [template, operations] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(bare)) {
      const operation = operations[method.toLowerCase()];
      if (operation) return { template, operation };
    }
  }
  return undefined;
}
