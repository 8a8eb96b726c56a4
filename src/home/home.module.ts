import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { HomeController } from './home.controller';
import { HomeService } from './home.service';

/** The dashboard at `/`; feature modules register their blocks with HomeService. */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [HomeController],
  providers: [HomeService],
  exports: [HomeService],
})
export class HomeModule {}
