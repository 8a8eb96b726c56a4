import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfigService } from './app-config.service';

@Global()
@Module({})
export class ConfigModule {
  /** Tests pass a ready-made service so each suite gets its own database and settings. */
  static forRoot(config: AppConfigService = new AppConfigService()): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfigService, useValue: config }],
      exports: [AppConfigService],
    };
  }
}
