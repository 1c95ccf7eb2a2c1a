/**
 * A paged GET declared once (where it is, what it takes, the page it answers) and the two ways to call it: `list`
 * for one page as Vobiz sent it, `iterate` for every row across pages.
 *
 * The query is the validated params in snake_case, in the params schema's order, the same rule as request bodies.
 */
import type { z } from 'zod';
import { validateInput } from './input.js';
import { paginate, type Cursor, type PaginateOptions } from './pagination.js';
import { toSnake } from './schemas/common.js';
import type { PageSchema } from './schemas/pages.js';
import type { CallOptions, Query } from './transport.js';

/** The client's authenticated GET: its transport and its own credentials. */
export type GetPage = <S extends z.ZodType>(path: string, schema: S, query: Query, options: CallOptions) => Promise<z.output<S>>;

/** Params as `iterate` takes them: without the cursor, which it sets page by page. */
export type IterateParams<P, C extends Cursor = 'page'> = Omit<P, C>;

interface PagedEndpoint<Scope extends unknown[], P extends object, Page, Row, C extends Cursor> {
  /** One page, the envelope as Vobiz sent it (parsed). */
  list(get: GetPage, ...args: [...scope: Scope, params: P, options: CallOptions]): Promise<Page>;
  /** Every row, page after page, until the family says the listing has ended. */
  iterate(get: GetPage, ...args: [...scope: Scope, params: IterateParams<P, C>, options: PaginateOptions]): AsyncGenerator<Row>;
}

export function pagedEndpoint<Scope extends unknown[], P extends z.ZodType<object, object>, S extends z.ZodType, Row, C extends Cursor>(endpoint: {
  /** The path, from the values that place it (the account's auth id, the customer's base path). */
  path: (...scope: Scope) => string;
  params: P;
  page: PageSchema<S, Row, C>;
  /** The param that sets the page size: a short page ends a listing that gives no totals. */
  pageSize: keyof z.input<P> & string;
}): PagedEndpoint<Scope, z.input<P>, z.output<S>, Row, C> {
  const { page, pageSize } = endpoint;

  // async: a params error rejects the returned promise, like every other call, instead of throwing at the call site.
  async function fetchPage(get: GetPage, scope: Scope, params: z.input<P>, options: CallOptions): Promise<z.output<S>> {
    const path = endpoint.path(...scope);
    const p = validateInput(endpoint.params, params, { method: 'GET', path });
    return get(path, page.envelope, toSnake(p as Record<string, unknown>) as Query, options);
  }

  // The scope comes first and its length varies by endpoint; params and options are always the last two, since the
  // client methods pass both.
  return {
    list: (get, ...args) => {
      const [params, options] = args.slice(-2) as [z.input<P>, CallOptions];
      return fetchPage(get, args.slice(0, -2) as Scope, params, options);
    },
    iterate: (get, ...args) => {
      const [params, options] = args.slice(-2) as [IterateParams<z.input<P>, C>, PaginateOptions];
      const scope = args.slice(0, -2) as Scope;
      const size = (params as Record<string, unknown>)[pageSize];
      return paginate(async (at, o) => page.info(await fetchPage(get, scope, { ...params, [page.cursor]: at } as z.input<P>, o)), {
        ...options,
        cursor: page.cursor,
        pageSize: typeof size === 'number' ? size : undefined,
      });
    },
  };
}
