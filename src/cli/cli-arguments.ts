import { cliMessages } from './cli.messages';

/** A mistake in the command line: the CLI prints it with the usage and exits 1. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export interface CliArguments {
  command?: string;
  help: boolean;
  options: { url?: string; schema?: string };
}

const VALUE_OPTIONS = { '--url': 'url', '--schema': 'schema' } as const;
type ValueOption = keyof typeof VALUE_OPTIONS;
const isValueOption = (name: string): name is ValueOption => name in VALUE_OPTIONS;

/** Parses `<command> [--url <u>] [--schema <s>] [--help]`; `--opt=value` works too. */
export function parseArguments(argv: readonly string[]): CliArguments {
  const parsed: CliArguments = { help: false, options: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      parsed.help = true;
    } else if (arg.startsWith('-')) {
      const [name, inline] = splitOption(arg);
      if (!isValueOption(name)) throw new CliUsageError(cliMessages.unknownOption(name));
      const value = inline ?? argv[++i];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
        throw new CliUsageError(cliMessages.missingValue(name));
      }
      parsed.options[VALUE_OPTIONS[name]] = value;
    } else if (parsed.command === undefined) {
      parsed.command = arg;
    } else {
      throw new CliUsageError(cliMessages.unexpectedArgument(arg));
    }
  }
  return parsed;
}

function splitOption(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
