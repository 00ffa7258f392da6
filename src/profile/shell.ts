/** One shell word: left as it is when safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command given after `--`: one argument is a shell command as written
 * (`-- 'npm run bench'`), several are words quoted as they were (`-- node bench.js --size 10`).
 */
export function commandFromArgs(args: string[]): string {
  if (args.length === 1) return args[0] as string;
  return args.map(shellQuote).join(" ");
}
