/**
 * Vobiz's pagination families (docs/vobiz-api.md §3): each wraps its rows in its own envelope and says where the
 * listing ends in its own words.
 *
 *   accounts / KYC sessions   {rows, total, page, size}           → ends at `total`
 *   transactions              {transactions, total, total_pages}  → ends at `total_pages` (or `total`)
 *   numbers / inventory       {items, page, per_page, total}      → ends at `total`
 *   CDRs                      {data, pagination{has_next,pages}}  → ends when `has_next` is false
 *   trunks                    {meta{limit,offset,total}, objects} → offset-based; ends at `total`
 *
 * A family makes a resource's page schema from its row schema (`family.of(Row)`): the envelope that `list*` returns,
 * and the reading of it as a `PageInfo` that `iterate*` pages with.
 */
import { z } from 'zod';
import type { Cursor, PageInfo } from '../pagination.js';
import { optBool, optCount } from './common.js';

type Shape = z.core.$ZodLooseShape;
type EndMarkers = Omit<PageInfo<never>, 'items'>;

/** A resource's page: the envelope schema, the cursor it pages by, and what a parsed envelope says. */
export interface PageSchema<S extends z.ZodType, Row, C extends Cursor> {
  readonly envelope: S;
  readonly cursor: C;
  info(envelope: z.output<S>): PageInfo<Row>;
}

/** The parsed envelope of a page schema: what `list*` returns. */
export type PageOf<P extends PageSchema<z.ZodType, unknown, Cursor>> = z.output<P['envelope']>;

/** The envelope around rows of schema `R`: the rows under `K`, the family's fields, and the resource's own. */
type Envelope<K extends string, R extends z.ZodType, F extends Shape, X extends Shape> = z.ZodObject<
  z.core.util.Writeable<{ [P in K]: z.ZodArray<R> } & F & X>,
  z.core.$loose
>;

interface PageFamily<K extends string, F extends Shape, C extends Cursor> {
  /** The page schema for rows of `row`; `extra` declares fields that only this resource's envelope carries. */
  of<R extends z.ZodType, X extends Shape = Record<never, never>>(row: R, extra?: X): PageSchema<Envelope<K, R, F, X>, z.output<R>, C>;
}

function pageFamily<K extends string, F extends Shape, C extends Cursor>(family: {
  /** The key of the rows array. */
  rows: K;
  cursor: C;
  /** The family's paging fields beside the rows. */
  fields: F;
  end: (envelope: z.output<z.ZodObject<F>>) => EndMarkers;
}): PageFamily<K, F, C> {
  return {
    of<R extends z.ZodType, X extends Shape = Record<never, never>>(row: R, extra?: X) {
      // A computed key is typed as an index signature; it is the rows key `K`.
      const shape = { [family.rows]: z.array(row), ...family.fields, ...extra } as { [P in K]: z.ZodArray<R> } & F & X;
      return {
        envelope: z.looseObject(shape),
        cursor: family.cursor,
        info: (page) => {
          // zod cannot compute the envelope's output type while K, F and X are generic; parsed, it holds the rows
          // under K beside the family's fields.
          const parsed = page as unknown as Record<K, z.output<R>[]> & z.output<z.ZodObject<F>>;
          return { items: parsed[family.rows], ...family.end(parsed) };
        },
      };
    },
  };
}

/** `{<rows>:[], total, page, size}`: partner accounts (`accounts`) and KYC sessions (`sessions`). */
export const sizedPages = <K extends string>(rows: K) =>
  pageFamily({ rows, cursor: 'page', fields: { total: optCount, page: optCount, size: optCount }, end: (p) => ({ total: p.total }) });

/** `{transactions:[], total, page, per_page, total_pages}`: a customer's ledger. */
export const transactionPages = pageFamily({
  rows: 'transactions',
  cursor: 'page',
  fields: { total: optCount, page: optCount, per_page: optCount, total_pages: optCount },
  end: (p) => ({ total: p.total, totalPages: p.total_pages }),
});

/** `{items:[], page, per_page, total}`: numbers owned (partner and customer views) and the inventory. */
export const itemPages = pageFamily({
  rows: 'items',
  cursor: 'page',
  fields: { page: optCount, per_page: optCount, total: optCount },
  end: (p) => ({ total: p.total }),
});

const CdrPagination = z.looseObject({
  page: optCount,
  per_page: optCount,
  total: optCount,
  pages: optCount,
  has_next: optBool,
  has_prev: optBool,
});

/** `{data:[], pagination:{page, per_page, total, pages, has_next, has_prev}}`: call records (partner and customer). */
export const cdrPages = pageFamily({
  rows: 'data',
  cursor: 'page',
  fields: { pagination: CdrPagination.nullish() },
  end: (p) => ({ hasNext: p.pagination?.has_next, totalPages: p.pagination?.pages, total: p.pagination?.total }),
});

/** `{meta:{limit, offset, total}, objects:[]}`: trunks and their sub-resources, paged by offset. */
export const offsetPages = pageFamily({
  rows: 'objects',
  cursor: 'offset',
  fields: { meta: z.looseObject({ limit: optCount, offset: optCount, total: optCount }).nullish() },
  end: (p) => ({ total: p.meta?.total }),
});
