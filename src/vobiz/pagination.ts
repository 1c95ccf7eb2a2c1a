/**
 * Paging through a Vobiz listing, whatever its family (schemas/pages.ts). Each family reports its end in its own
 * words; `PageInfo` is what they have in common, and `isLastPage` is the one rule that reads it.
 *
 * A page cap guards against a server that ignores the page parameter. The signal is checked between pages and passed
 * to every request, so cancelling stops the loop promptly.
 */
import type { CallOptions } from './transport.js';

/** What a page says about the listing: its rows, and whichever of the end markers its family sends. */
export interface PageInfo<T> {
  items: T[];
  /** Total rows across pages, when the family says. */
  total?: number | null | undefined;
  totalPages?: number | null | undefined;
  hasNext?: boolean | null | undefined;
}

/** `page`: page numbers from 1; `offset`: the count of rows already read, from 0. */
export type Cursor = 'page' | 'offset';

export interface PaginateOptions extends CallOptions {
  /** Stop after this many pages even if the server says there are more (a guard, default 10 000). */
  maxPages?: number;
}

/** Where the listing stands after a page: its 1-based number, the rows read so far, the page size asked for. */
interface PageProgress {
  page: number;
  seen: number;
  pageSize?: number | undefined;
}

/**
 * An empty page ends the listing; so do `hasNext: false`, reaching `totalPages`, or having read `total` rows. A
 * short page ends it only when the page says nothing of how many rows exist: otherwise the markers decide.
 */
export function isLastPage(info: PageInfo<unknown>, { page, seen, pageSize }: PageProgress): boolean {
  if (info.items.length === 0) return true;
  if (info.hasNext === false) return true;
  if (info.totalPages != null && page >= info.totalPages) return true;
  if (info.total != null && seen >= info.total) return true;
  const knowsMore = info.hasNext === true || info.total != null || info.totalPages != null;
  return !knowsMore && pageSize != null && info.items.length < pageSize;
}

/** Every row, page after page: `fetchPage(at)` fetches the page whose cursor is `at`, until `isLastPage`. */
export async function* paginate<T>(
  fetchPage: (at: number, options: CallOptions) => Promise<PageInfo<T>>,
  options: PaginateOptions & { cursor: Cursor; pageSize?: number | undefined },
): AsyncGenerator<T, void, undefined> {
  const { signal, maxPages = 10_000, cursor, pageSize } = options;
  let seen = 0;
  for (let page = 1; page <= maxPages; page++) {
    signal?.throwIfAborted();
    const info = await fetchPage(cursor === 'page' ? page : seen, { signal });
    for (const item of info.items) yield item;
    seen += info.items.length;
    if (isLastPage(info, { page, seen, pageSize })) return;
  }
}
