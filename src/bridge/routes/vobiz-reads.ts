/**
 * The Vobiz side of a customer and of the partner, read over HTTP as the CLI reads it: a customer's transactions,
 * call records, numbers and balance; every customer's call records; the numbers on sale; the partner's profile and
 * dashboard. Answers come from Vobiz (through the workers, inside the rate budget: src/bridge/activity-reads.ts),
 * never from workflow state. Any start-API token may read, a read-only one too.
 *
 * Lists answer one Vobiz page as JSON (`page`, `perPage`, `nextPage`); transactions and call records answer CSV
 * instead when the caller accepts `text/csv` and not JSON: every row of the filtered listing, streamed page by page.
 */
import { ActivityExecutionFailedError } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NoVobizAccountYetError, vobizAuthIdOf } from '../../onboarding/customers.js';
import { describeRefusal } from '../../onboarding/refusals.js';
import { withDeadline } from '../../onboarding/temporal-calls.js';
import { CDR_COLUMNS, TRANSACTION_COLUMNS, csvStream, type CsvColumn } from '../../reads/csv.js';
import { pagePosition } from '../../reads/page-view.js';
import { parseCdrQuery, parseInventoryQuery, parseNumberQuery, parseTransactionQuery, type QueryResult } from '../../reads/queries.js';
import { everyCdr, everyTransaction } from '../../reads/vobiz-reads.js';
import { CdrPage, NumberPage, TransactionPage } from '../../vobiz/index.js';
import type { BridgeContext } from '../context.js';
import { HttpError, refusalError, temporalUnavailable } from '../http-errors.js';
import { customerRefParam, notFoundOr, requireScope } from './onboardings.js';

export async function vobizReadRoutes(app: FastifyInstance, ctx: BridgeContext): Promise<void> {
  app.addHook('onRequest', requireScope(ctx));
  const { reads } = ctx;

  const accountOf = async (request: FastifyRequest): Promise<{ customerRef: string; authId: string }> => {
    const customerRef = customerRefParam(request);
    try {
      return { customerRef, authId: await withDeadline(ctx.client, ctx.temporalTimeoutMs, () => vobizAuthIdOf(ctx.client, customerRef)) };
    } catch (err) {
      if (err instanceof NoVobizAccountYetError) {
        throw new HttpError(404, { error: 'no_vobiz_account', message: err.message, field: 'customerRef', rule: 'must name a customer whose Vobiz account exists (made in stage account)' });
      }
      throw notFoundOr(err, customerRef);
    }
  };

  app.get('/onboardings/:customerRef/transactions', async (request, reply) => {
    const params = valid(parseTransactionQuery(request.query));
    const { authId } = await accountOf(request);
    if (wantsCsv(request)) return sendCsv(reply, 'transactions', everyTransaction(reads, authId, { ...params, perPage: params.perPage ?? 200 }), TRANSACTION_COLUMNS);
    const page = await fromVobiz(() => reads.transactions(authId, params));
    return { authId, transactions: page.transactions, ...pagePosition(TransactionPage.info(page), params.page ?? 1, params.perPage), summary: page.summary };
  });

  app.get('/onboardings/:customerRef/cdrs', async (request, reply) => {
    const params = valid(parseCdrQuery(request.query));
    const { authId } = await accountOf(request);
    if (wantsCsv(request)) return sendCsv(reply, 'cdrs', everyCdr(reads, authId, { ...params, perPage: params.perPage ?? 100 }), CDR_COLUMNS);
    const page = await fromVobiz(() => reads.cdrs(authId, params));
    return { authId, cdrs: page.data, ...pagePosition(CdrPage.info(page), params.page ?? 1, params.perPage), summary: page.summary };
  });

  app.get('/onboardings/:customerRef/numbers', async (request) => {
    const params = valid(parseNumberQuery(request.query));
    const { authId } = await accountOf(request);
    const page = await fromVobiz(() => reads.numbers(authId, params));
    return { authId, numbers: page.items, ...pagePosition(NumberPage.info(page), params.page ?? 1, params.perPage) };
  });

  app.get('/onboardings/:customerRef/balance', async (request) => {
    const { authId } = await accountOf(request);
    return fromVobiz(() => reads.balance(authId));
  });

  app.get('/partner', async () => fromVobiz(() => reads.partner()));
  app.get('/partner/dashboard', async () => fromVobiz(() => reads.dashboard()));

  app.get('/partner/cdrs', async (request, reply) => {
    const params = valid(parseCdrQuery(request.query));
    if (wantsCsv(request)) return sendCsv(reply, 'cdrs', everyCdr(reads, null, { ...params, perPage: params.perPage ?? 100 }), CDR_COLUMNS);
    const page = await fromVobiz(() => reads.cdrs(null, params));
    return { cdrs: page.data, ...pagePosition(CdrPage.info(page), params.page ?? 1, params.perPage), summary: page.summary };
  });

  app.get('/partner/numbers/inventory', async (request) => {
    const params = valid(parseInventoryQuery(request.query));
    const page = await fromVobiz(() => reads.inventory(params));
    return { numbers: page.items, ...pagePosition(NumberPage.info(page), params.page ?? 1, params.perPage) };
  });
}

function valid<T>(result: QueryResult<T>): T {
  if (!result.ok) throw HttpError.problems(400, 'invalid_input', result.problems);
  return result.params;
}

/** CSV only when asked for and JSON is not preferred: `Accept: text/csv` (a browser's `*∕*` keeps JSON). */
function wantsCsv(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

/**
 * Streams a listing as CSV. Its first page is read before the answer starts, so a refused read (no such account,
 * Vobiz down) is still an error status; a failure after that can only cut the stream short, which the client sees
 * as a body that ends without its last chunk.
 */
async function sendCsv<T>(reply: FastifyReply, name: string, rows: AsyncGenerator<T>, columns: readonly CsvColumn<T>[]): Promise<FastifyReply> {
  const first = await fromVobiz(() => rows.next());
  const all = (async function* () {
    if (first.done) return;
    yield first.value;
    yield* rows;
  })();
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(csvStream(all, columns));
}

/** A Vobiz read's failure as an answer: the account unknown at Vobiz is a 404; no worker in time a 503; else as actions are told. */
async function fromVobiz<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof ActivityExecutionFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof TimeoutFailure) throw temporalUnavailable();
    if (cause instanceof ApplicationFailure && cause.type === 'VobizNotFound') {
      throw new HttpError(404, { error: 'not_found', message: cause.message, field: 'vobiz', rule: 'must name an account Vobiz knows' });
    }
    throw refusalError(describeRefusal(cause));
  }
}
