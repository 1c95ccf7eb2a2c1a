/**
 * Async iterators over Vobiz's pagination families (docs/vobiz-api.md §3). Each family reports its end differently:
 *
 *   accounts / KYC sessions   {rows, total, page, size}           → stop when `total` rows are seen
 *   transactions              {transactions, total, total_pages}  → stop at `total_pages` (or `total`)
 *   numbers / inventory       {items, page, per_page, total}      → stop when `total` rows are seen
 *   CDRs                      {data, pagination{has_next,pages}}  → stop when `has_next` is false
 *   trunks                    {meta{limit,offset,total}, objects} → offset-based; stop at `total`
 *
 * Whatever the family, an empty page ends the iteration, and a short page ends it when nothing else says how many
 * rows exist. A page cap guards against a server that ignores the page parameter. The signal is checked between
 * pages and passed to every request, so cancelling stops the loop promptly.
 */
import type { CallOptions } from './transport.js';

export interface PageInfo<T> {
  items: T[];
  /** Total rows across pages, when the family says. */
  total?: number | null | undefined;
  totalPages?: number | null | undefined;
  hasNext?: boolean | null | undefined;
}

export interface PaginateOptions extends CallOptions {
  /** Stop after this many pages even if the server says there are more (a guard, default 10 000). */
  maxPages?: number;
}

/** Page-number families; `fetchPage(n)` fetches page n (1-based). */
export async function* paginateByPage<T>(
  fetchPage: (page: number, options: CallOptions) => Promise<PageInfo<T>>,
  options: PaginateOptions & { startPage?: number; pageSize?: number } = {},
): AsyncGenerator<T, void, undefined> {
  const { signal, maxPages = 10_000, pageSize } = options;
  let page = options.startPage ?? 1;
  let seen = 0;
  for (let fetched = 0; fetched < maxPages; fetched++) {
    signal?.throwIfAborted();
    const info = await fetchPage(page, { signal });
    for (const item of info.items) yield item;
    seen += info.items.length;
    if (info.items.length === 0) return;
    if (info.hasNext === false) return;
    if (info.totalPages != null && page >= info.totalPages) return;
    if (info.total != null && seen >= info.total) return;
    const knowsMore = info.hasNext === true || info.total != null || info.totalPages != null;
    if (!knowsMore && pageSize != null && info.items.length < pageSize) return;
    page += 1;
  }
}

/** Offset families (trunks and their sub-resources); `fetchPage(offset)` fetches the rows from `offset`. */
export async function* paginateByOffset<T>(
  fetchPage: (offset: number, options: CallOptions) => Promise<PageInfo<T>>,
  options: PaginateOptions & { startOffset?: number; limit?: number } = {},
): AsyncGenerator<T, void, undefined> {
  const { signal, maxPages = 10_000, limit } = options;
  let offset = options.startOffset ?? 0;
  for (let fetched = 0; fetched < maxPages; fetched++) {
    signal?.throwIfAborted();
    const info = await fetchPage(offset, { signal });
    for (const item of info.items) yield item;
    if (info.items.length === 0) return;
    offset += info.items.length;
    if (info.total != null && offset >= info.total) return;
    if (info.total == null && limit != null && info.items.length < limit) return;
  }
}
