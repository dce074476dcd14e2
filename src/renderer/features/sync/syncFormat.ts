/** Row counts as the sync dialog shows them: short, since they are estimates (12k, 3.4M). */
export function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(Math.round(n));
}
