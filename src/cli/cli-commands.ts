import { createInterface } from 'node:readline/promises';
import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { AppConfigService } from '../config/app-config.service';

export type WithContext = <T>(
  work: (ctx: INestApplicationContext, config: AppConfigService) => Promise<T>,
) => Promise<T>;
export type CommandRegistration = (program: Command, withContext: WithContext) => void;

const extra: CommandRegistration[] = [];

/** Commands contributed by feature modules (content:export, load:generate) without editing cli.ts. */
export const CLI_COMMANDS = {
  extra,
  register(registration: CommandRegistration): void {
    extra.push(registration);
  },
  /** Asks on the terminal, so the password stays out of the shell history. */
  async askPassword(): Promise<string> {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return (await rl.question('Password (at least 8 characters): ')).trim();
    } finally {
      rl.close();
    }
  },
};
