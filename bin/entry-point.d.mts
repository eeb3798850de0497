/** Types of entry-point.mjs (plain JavaScript, loaded before any TypeScript tooling). */
export function compiledEntry(rootUrl: URL, relative: string): string | undefined;
