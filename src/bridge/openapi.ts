/**
 * The start API's OpenAPI 3.1 document, generated from the same zod schemas the routes validate with and answer
 * in (`z.toJSONSchema`: OpenAPI 3.1 uses JSON Schema 2020-12 as is). Served at `GET /openapi.json` and committed
 * as docs/openapi.json (`npm run openapi` writes it; a unit test fails when the committed copy is stale).
 */
import { z } from 'zod';
import { ListOnboardingsQuerySchema } from '../onboarding/customers.js';
import { OPERATOR_ACTIONS, type OperatorActionName } from '../onboarding/operator-actions.js';
import { ListCdrsParams, ListInventoryParams, ListNumbersParams, ListTransactionsParams } from '../vobiz/index.js';
import { CustomerRefSchema, OnboardingInputSchema } from '../workflows/input.js';
import {
  ACTION_RESULT_SCHEMAS,
  ErrorBodySchema,
  FieldProblemSchema,
  HandOverBodySchema,
  LifecycleStateSchema,
  NumberBodySchema,
  OnboardingListSchema,
  OffboardBodySchema,
  ReasonBodySchema,
  ReleaseNumberBodySchema,
  RetryBodySchema,
  StartOutcomeSchema,
} from './api-schemas.js';
import {
  BalanceSchema,
  CdrListSchema,
  CdrRowSchema,
  DashboardSchema,
  NumberListSchema,
  PartnerProfileSchema,
  PhoneNumberRowSchema,
  TransactionListSchema,
  TransactionRowSchema,
} from './read-schemas.js';

type JsonSchema = Record<string, unknown>;

/** One registry, so shared schemas become `#/components/schemas/<id>` references. */
function componentSchemas(): { schemas: Record<string, JsonSchema>; ref: (id: string) => JsonSchema } {
  const registry = z.registry<{ id: string }>();
  const add = (id: string, schema: z.ZodType) => registry.add(schema, { id });
  add('OnboardingRequest', OnboardingInputSchema);
  add('StartOutcome', StartOutcomeSchema);
  add('LifecycleState', LifecycleStateSchema);
  add('OnboardingPage', OnboardingListSchema);
  add('Error', ErrorBodySchema);
  add('FieldProblem', FieldProblemSchema);
  add('ReasonBody', ReasonBodySchema);
  add('OffboardBody', OffboardBodySchema);
  add('NumberBody', NumberBodySchema);
  add('ReleaseNumberBody', ReleaseNumberBodySchema);
  add('RetryBody', RetryBodySchema);
  add('HandOverBody', HandOverBodySchema);
  for (const schema of Object.values(ACTION_RESULT_SCHEMAS)) add(schema.meta()!.id!, schema);
  for (const schema of [TransactionRowSchema, CdrRowSchema, PhoneNumberRowSchema, TransactionListSchema, CdrListSchema, NumberListSchema, BalanceSchema, PartnerProfileSchema, DashboardSchema]) {
    add(schema.meta()!.id!, schema);
  }
  const generated = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    // Requests are described as callers send them (defaults optional); amounts are transformed after parsing.
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([id, schema]) => {
      const { $schema: _drop, $id: _id, ...rest } = schema;
      return [id, rest];
    }),
  );
  return { schemas, ref: (id) => ({ $ref: `#/components/schemas/${id}` }) };
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

export function buildOpenApiDocument(): Record<string, unknown> {
  const { schemas, ref } = componentSchemas();
  const error = (description: string) => ({ description, content: json(ref('Error')) });
  const errors = (...codes: number[]) =>
    Object.fromEntries(
      codes.map((code) => [
        String(code),
        error(
          {
            400: 'invalid input: every field and rule in `problems`',
            401: 'missing or wrong bearer token',
            404: 'no onboarding for that customerRef',
            409: 'conflict / already_closed (start); not_allowed (wrong stage), action_refused (the workflow or Vobiz said no) or finished (the customer\'s workflow has closed: since when in the message)',
            413: 'body too large',
            415: 'body not application/json',
            422: 'idempotency_key_reused: the Idempotency-Key was used for another action on this customer',
            429: 'try_later: refused for now (e.g. KycResendCooldown); `retryAfterSeconds` and Retry-After say when',
            502: 'action_failed: accepted but could not be carried out (e.g. Vobiz unreachable); retry later',
            503: 'temporal_unavailable (Temporal did not answer) or worker_unavailable (Temporal answered, no worker did: stopped or stuck): retry later',
          }[code] ?? 'error',
        ),
      ]),
    );
  const customerRefParam = {
    name: 'customerRef',
    in: 'path',
    required: true,
    schema: z.toJSONSchema(CustomerRefSchema, { io: 'input', unrepresentable: 'any' }),
  };
  const listQuery = z.toJSONSchema(ListOnboardingsQuerySchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, JsonSchema> };
  const queryParams = Object.entries(listQuery.properties).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  const actionBodies: Partial<Record<OperatorActionName, string>> = {
    'revoke-kyc': 'ReasonBody',
    offboard: 'OffboardBody',
    'purchase-number': 'NumberBody',
    'release-number': 'ReleaseNumberBody',
    retry: 'RetryBody',
    'hand-over-account': 'HandOverBody',
  };

  const paths: Record<string, unknown> = {
    '/onboardings': {
      post: {
        operationId: 'startOnboarding',
        summary: "Start a customer's lifecycle workflow, or join the one running for the same customerRef and input",
        requestBody: { required: true, content: json(ref('OnboardingRequest')) },
        responses: {
          201: { description: 'started', content: json(ref('StartOutcome')) },
          200: { description: 'existing: the same input was started before', content: json(ref('StartOutcome')) },
          ...errors(400, 401, 409, 413, 415, 503),
        },
      },
      get: {
        operationId: 'listOnboardings',
        summary: 'Customers by stage and KYC status (Temporal visibility), newest first, one page at a time',
        parameters: queryParams,
        responses: { 200: { description: 'one page', content: json(ref('OnboardingPage')) }, ...errors(400, 401, 503) },
      },
    },
    '/onboardings/{customerRef}': {
      get: {
        operationId: 'getOnboarding',
        summary: "The workflow's state (its `status` query)",
        parameters: [customerRefParam],
        responses: { 200: { description: 'the state', content: json(ref('LifecycleState')) }, ...errors(400, 401, 404, 503) },
      },
    },
  };
  for (const action of OPERATOR_ACTIONS) {
    const body = actionBodies[action];
    const resultId = ACTION_RESULT_SCHEMAS[action].meta()!.id!;
    paths[`/onboardings/{customerRef}/${action}`] = {
      post: {
        operationId: action.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()),
        parameters: [
          customerRefParam,
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e][\\x20-\\x7e]*$' },
            description: 'a retried request with the same key attaches to the first; the same key with another action is a 422',
          },
        ],
        ...(body ? { requestBody: { required: true, content: json(ref(body)) } } : {}),
        responses: { 200: { description: 'done', content: json(ref(resultId)) }, ...errors(400, 401, 404, 409, 422, 429, 502, 503) },
      },
    };
  }

  Object.assign(paths, readPaths(ref, errors, customerRefParam));

  return {
    openapi: '3.1.0',
    info: {
      title: 'Vobiz lifecycle start API',
      version: '1',
      description:
        "Start, list and steer customer onboardings (one Temporal workflow per customerRef), and read each customer's and the partner's Vobiz side (from Vobiz, through the workers' rate budget). See docs/bridge.md.",
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: 'http://127.0.0.1:8787' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from BRIDGE_API_TOKENS; for GET routes also one from BRIDGE_READ_TOKENS' } },
    },
  };
}

/** A Vobiz list's filters as query parameters: the client's own params (camelCase), each optional. */
function queryParameters(schema: z.ZodType): JsonSchema[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, JsonSchema> };
  return Object.entries(json.properties).map(([name, property]) => ({ name, in: 'query', required: false, schema: property }));
}

/** The Vobiz reads (src/bridge/routes/vobiz-reads.ts). */
function readPaths(ref: (id: string) => JsonSchema, errors: (...codes: number[]) => Record<string, unknown>, customerRefParam: JsonSchema): Record<string, unknown> {
  const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
  const csv = { 'text/csv': { schema: { type: 'string', description: 'every row of the filtered listing, streamed; formula-looking cells prefixed with a quote' } } };
  const readErrors = errors(400, 401, 404, 409, 429, 502, 503);
  const get = (operationId: string, summary: string, parameters: JsonSchema[], body: Record<string, unknown>) => ({
    get: { operationId, summary, parameters, responses: { 200: { description: 'from Vobiz', content: body }, ...readErrors } },
  });
  const customer = [customerRefParam];
  return {
    '/onboardings/{customerRef}/transactions': get(
      'listTransactions',
      "The customer's Vobiz ledger, newest first: one page as JSON, or every row as CSV (Accept: text/csv)",
      [...customer, ...queryParameters(ListTransactionsParams)],
      { ...json(ref('TransactionList')), ...csv },
    ),
    '/onboardings/{customerRef}/cdrs': get(
      'listCdrs',
      "The customer's call records with Vobiz's filters: one page as JSON, or every row as CSV (Accept: text/csv)",
      [...customer, ...queryParameters(ListCdrsParams)],
      { ...json(ref('CdrList')), ...csv },
    ),
    '/onboardings/{customerRef}/numbers': get('listNumbers', 'The numbers the customer owns at Vobiz', [...customer, ...queryParameters(ListNumbersParams)], json(ref('NumberList'))),
    '/onboardings/{customerRef}/balance': get('getBalance', "The customer's Vobiz wallet", customer, json(ref('Balance'))),
    '/partner': get('getPartner', "The partner's Vobiz profile: limits, permissions, balance", [], json(ref('PartnerProfile'))),
    '/partner/dashboard': get('getPartnerDashboard', "The partner's Vobiz dashboard: customers, balances, calls", [], json(ref('PartnerDashboard'))),
    '/partner/cdrs': get(
      'listPartnerCdrs',
      "Every customer's call records (each row's account_id says whose): one page as JSON, or every row as CSV (Accept: text/csv)",
      queryParameters(ListCdrsParams),
      { ...json(ref('CdrList')), ...csv },
    ),
    '/partner/numbers/inventory': get(
      'listInventory',
      "Numbers on sale at Vobiz (exclude: prefixes, repeated or comma-separated)",
      queryParameters(ListInventoryParams),
      json(ref('NumberList')),
    ),
  };
}
