/**
 * The Content-Security-Policy of the workbench UI, the same in both shells:
 * only our own scripts, WebAssembly for DuckDB-WASM, no network but our origin.
 * Inline styles are allowed because Monaco and ECharts set them at run time.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
