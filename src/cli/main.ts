#!/usr/bin/env node
import 'reflect-metadata';
import { CliUsageError, parseArguments } from './cli-arguments';
import { cliMessages, usage } from './cli.messages';
import { runMigrate } from './migrate.command';

/** `nestjs-analytics <command>`; resolves to the process exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const args = parseArguments(argv);
  if (args.help) {
    process.stdout.write(usage());
    return 0;
  }
  switch (args.command) {
    case 'migrate':
      await runMigrate(args.options);
      return 0;
    case undefined:
      throw new CliUsageError(cliMessages.missingCommand());
    default:
      throw new CliUsageError(cliMessages.unknownCommand(args.command));
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    if (err instanceof CliUsageError) {
      console.error(`${err.message}\n\n${usage()}`);
    } else {
      console.error(cliMessages.failed(err.message));
    }
    process.exitCode = 1;
  },
);
