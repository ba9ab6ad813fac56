// The port through which the SOC 2 report's HTML becomes a PDF: Electron's printToPDF in
// the app (src/main/electron/pdf-printer.electron.ts), headless Chromium in the CLI and the
// browser harness (chromium-pdf.ts). Both print with Skia, which stamps the wall clock
// into the PDF's CreationDate and ModDate; normalizePdfDates replaces them with the
// report's own time (same length, so the cross-reference offsets stay right), which makes
// the PDF byte-identical for the same report.

export interface PdfPrinter {
  /** A human name for notes ("Electron printToPDF", "Chromium 156 headless"). */
  readonly name: string;
  /** Prints a self-contained HTML page (no script, no external resource) to PDF bytes. */
  print(html: string): Promise<Buffer>;
}

const DATE_RE = /\/(CreationDate|ModDate) \(D:(\d{14})([^)]{0,16})\)/g;

/** Replaces every CreationDate / ModDate with `at` (same byte length). */
export function normalizePdfDates(pdf: Buffer, at: Date): Buffer {
  const text = pdf.toString('latin1');
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const out = text.replace(DATE_RE, (_m, key: string, _d: string, tz: string) => `/${key} (D:${stamp}${"+00'00'".length === tz.length ? "+00'00'" : tz})`);
  return Buffer.from(out, 'latin1');
}
