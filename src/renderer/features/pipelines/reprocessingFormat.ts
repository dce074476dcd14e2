/** How the preview, the push plan and the history write their figures. */

/** A count with thousands separators: 12,345. */
export const formatCount = (v: number) => v.toLocaleString('en-US');

/** A metric value in a table of changes: six significant digits, an exponent for the very large or small. */
export const formatValue = (v: number | null) =>
  v === null
    ? '—'
    : Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3)
      ? v.toExponential(4)
      : v.toPrecision(6).replace(/\.?0+$/, '');
