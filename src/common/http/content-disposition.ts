/**
 * A Content-Disposition value that carries any file name safely (RFC 6266 with RFC 5987 `filename*`): a plain
 * ASCII `filename` for old clients and the exact UTF-8 name, percent-encoded, for the rest. Path parts, control
 * characters and bidirectional overrides (`a\u202Egpj.exe`) never reach the header.
 */
export function contentDisposition(type: 'attachment' | 'inline', fileName: string): string {
  const name =
    fileName
      .replace(/^.*[\\/]/, '')
      .replace(/[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '')
      .trim() || 'download';
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
