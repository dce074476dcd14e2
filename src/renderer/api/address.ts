/**
 * The browser shell is opened with `?token=…`; once the server has set its
 * cookie the token only risks being copied along with the address.
 */

/** The same address without `token`, or null when there was none. */
export function addressWithoutToken(href: string): string | null {
  const url = new URL(href);
  if (!url.searchParams.has('token')) return null;
  url.searchParams.delete('token');
  return `${url.pathname}${url.search}${url.hash}`;
}
