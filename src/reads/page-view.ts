/** One page of a Vobiz list as the start API answers it: the rows, where the page stands, and the next page's number. */
import { isLastPage, type PageInfo } from '../vobiz/pagination.js';

interface PagePosition {
  page: number;
  /** The page size asked for (Vobiz's own default when absent). */
  perPage?: number;
  /** Rows across every page, when Vobiz says. */
  total?: number;
  /** Absent on the last page. */
  nextPage?: number;
}

export function pagePosition(info: PageInfo<unknown>, page: number, perPage: number | undefined): PagePosition {
  const seen = (page - 1) * (perPage ?? info.items.length) + info.items.length;
  const last = isLastPage(info, { page, seen, pageSize: perPage });
  return { page, ...(perPage !== undefined ? { perPage } : {}), ...(info.total != null ? { total: info.total } : {}), ...(last ? {} : { nextPage: page + 1 }) };
}
