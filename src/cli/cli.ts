/** Placeholder until the CLI lands: prints usage. */
export async function runCli(argv: string[]): Promise<number> {
  console.error(`darkroom: command not implemented yet: ${argv.join(' ')}`);
  return 1;
}
