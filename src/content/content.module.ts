import { Global, Module, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { PolicyService } from '../policy/policy.service';
import { ContentImportService } from './content-import.service';
import './content.i18n';

/** Orchestrates `content:import`; feature modules register their importers, policy comes first. */
@Global()
@Module({ providers: [ContentImportService], exports: [ContentImportService] })
export class ContentModule implements OnModuleInit {
  constructor(
    private readonly content: ContentImportService,
    private readonly policy: PolicyService,
  ) {}

  onModuleInit(): void {
    this.content.register({
      name: 'policy',
      order: 0,
      read: async (dir) => {
        const { policies, problems } = this.policy.readFolder(join(dir, 'policy'));
        return { plan: policies, problems, items: policies.length };
      },
      apply: async (policies, manager, tick) => {
        const changed = await this.policy.save(policies, manager);
        policies.forEach(() => tick());
        return { changed, unchanged: policies.length - changed };
      },
      // Only after commit: on PostgreSQL a reload inside the import would still read the old rows.
      afterCommit: () => this.policy.invalidate(),
    });
  }
}
