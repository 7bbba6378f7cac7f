#!/usr/bin/env node
// The `ketenlog` command line: one module per command (./commands/), each with its own --help.
import { ConfigError } from './config.ts';
import { UsageError, type Command } from './commands/command.ts';
import { importCommand } from './commands/import.ts';
import { nodeCommand } from './commands/node.ts';
import { startCommand } from './commands/start.ts';
import { verifyDataCommand } from './commands/verify-data.ts';
import { verifyReceiptCommand } from './commands/verify-receipt.ts';
import { keygenCommand } from './commands/keygen.ts';
import { keysCommand } from './commands/keys.ts';
import { keygenOidcCommand, keygenProfessionalCommand } from './commands/keygen-identity.ts';
import { analyseCommand } from './commands/analyse.ts';
import { demoLoginsCommand } from './commands/demo-logins.ts';
import { tokenCommand } from './commands/token.ts';

const COMMANDS: readonly Command[] = [
  startCommand,
  nodeCommand,
  importCommand,
  verifyDataCommand,
  verifyReceiptCommand,
  keygenCommand,
  keygenOidcCommand,
  keygenProfessionalCommand,
  keysCommand,
  analyseCommand,
  demoLoginsCommand,
  tokenCommand,
];

const usage = (): string => `ketenlog — regional health-data exchange for Dutch care

Usage: ketenlog <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`).join('\n')}

Run "ketenlog <command> --help" for the options of a command.`;

async function main(argv: string[]): Promise<number | void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`ketenlog: unknown command "${name}"\n\n${usage()}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code) process.exitCode = code;
  },
  (error: unknown) => {
    const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (error instanceof UsageError || error instanceof ConfigError || parseError) {
      console.error((error as Error).message);
      process.exit(2);
    }
    console.error(`ketenlog: ${(error as Error).message}`);
    process.exit(1);
  },
);
