/** Everything the CLI prints, written in one place. */
export const usage = () =>
  [
    'Usage: nestjs-analytics <command> [options]',
    '',
    'Commands:',
    '  migrate    Create the analytics schema and apply pending migrations',
    '',
    'Options of migrate:',
    '  --url <postgres url>   Database to migrate',
    '                         (default: $ANALYTICS_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)',
    '  --schema <name>        Schema that holds the analytics tables (default: analytics)',
    '',
    '  -h, --help             Show this help',
    '',
    'Example:',
    '  nestjs-analytics migrate --url postgres://app:secret@db:5432/app --schema analytics',
    '',
  ].join('\n');

export const cliMessages = {
  unknownCommand: (command: string) => `Unknown command "${command}".`,
  missingCommand: () => 'No command given.',
  unknownOption: (option: string) => `Unknown option "${option}".`,
  missingValue: (option: string) => `Option ${option} needs a value.`,
  unexpectedArgument: (arg: string) => `Unexpected argument "${arg}".`,
  invalidOption: (option: string, rule: string, value: string) => `${option} ${rule}, got ${JSON.stringify(value)}`,
  migrating: (url: string, schema: string) => `Migrating schema "${schema}" on ${url}\n`,
  applied: (name: string) => `  applied ${name}\n`,
  upToDate: (schema: string) => `Schema "${schema}" is already up to date.\n`,
  done: (count: number, schema: string) => `Applied ${count} migration(s) to schema "${schema}".\n`,
  failed: (reason: string) => `Migration failed: ${reason}`,
};

/** The URL with its password masked, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
