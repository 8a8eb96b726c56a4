import { Module } from '@nestjs/common';
import { CLI_COMMANDS } from '../cli/cli-commands';
import { terminalProgress } from '../cli/progress';
import { LoadgenRefused, LoadgenService, LOADGEN_ADMIN, LOADGEN_PASSWORD } from './loadgen.service';

interface GenerateFlags {
  users: string;
  branches: string;
  years: string;
  seed: string;
  courses: string;
  scale?: string;
}

/** `load:generate`: a believable city of test data for `npm run bench` (registered here, so cli.ts stays as it is). */
CLI_COMMANDS.register((program, withContext) => {
  program
    .command('load:generate')
    .description(
      'fill an EMPTY database with a generated city for load tests (deterministic for --seed)',
    )
    .option('--users <n>', 'people', '20000')
    .option('--branches <n>', 'party branches', '2000')
    .option('--years <n>', 'years of monthly study days, attendance and quiz attempts', '5')
    .option('--courses <n>', 'published courses (demo courses cloned with suffixes)', '60')
    .option('--seed <n>', 'seed of the generator', '1')
    .option('--scale <f>', 'multiply users and branches (0.1 = the tenth-size city)')
    .action((flags: GenerateFlags) =>
      withContext(async (ctx) => {
        const scale = flags.scale === undefined ? 1 : Number(flags.scale);
        const int = (v: string, name: string, min: number): number => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < min) {
            throw new LoadgenRefused(`--${name} must be a whole number >= ${min}`);
          }
          return n;
        };
        if (!(scale > 0 && scale <= 10)) {
          throw new LoadgenRefused('--scale must be a number in (0, 10]');
        }
        const options = {
          users: Math.max(1, Math.round(int(flags.users, 'users', 1) * scale)),
          branches: Math.max(1, Math.round(int(flags.branches, 'branches', 1) * scale)),
          years: int(flags.years, 'years', 1),
          courses: int(flags.courses, 'courses', 1),
          seed: int(flags.seed, 'seed', 0),
        };
        const started = Date.now();
        try {
          const counts = await ctx
            .get(LoadgenService)
            .generate(options, terminalProgress('Generating'));
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          console.log(`Generated in ${seconds} s (${JSON.stringify(options)}):`);
          for (const [table, n] of Object.entries(counts)) {
            console.log(`  ${table.padEnd(28)} ${n}`);
          }
          console.log(
            `Sign in as ${LOADGEN_ADMIN} (city admin), u000001... (u000001-u${String(options.branches).padStart(6, '0')} are branch secretaries); password ${LOADGEN_PASSWORD}.`,
          );
        } catch (error) {
          if (error instanceof LoadgenRefused) {
            console.error(error.message);
            process.exitCode = 1;
            return;
          }
          throw error;
        }
      }),
    );
});

@Module({
  providers: [LoadgenService],
  exports: [LoadgenService],
})
export class LoadgenModule {}
