/**
 * The browser shell is opened with `?token=…`. The page keeps the token in this
 * tab's session storage, where a reload finds it again, and sends it in a header
 * with every API call; in the address it only risks being copied along.
 */

/** The same address without `token`, or null when there was none. */
export function addressWithoutToken(href: string): string | null {
  const url = new URL(href);
  if (!url.searchParams.has('token')) return null;
  url.searchParams.delete('token');
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The `token` in the address, or null. */
export function tokenInAddress(href: string): string | null {
  return new URL(href).searchParams.get('token') || null;
}
