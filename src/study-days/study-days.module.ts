import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import './study-days.i18n';
import './branch-rhythm.policy';
import { AttendanceModule } from '../attendance/attendance.module';
import { DemoService } from '../demo/demo.service';
import { HomeService } from '../home/home.service';
import { OrganizationsModule } from '../organizations/organizations.module';
import { CalendarTokenEntity } from './calendar-token.entity';
import { CalendarService } from './calendar.service';
import { RhythmService } from './rhythm.service';
import { StudyDayPhotoEntity } from './study-day-photo.entity';
import { StudyDayRecordsService } from './study-day-records.service';
import { StudyDaySeriesEntity } from './study-day-series.entity';
import { StudyDayEntity } from './study-day.entity';
import { StudyDaysApiController } from './study-days-api.controller';
import { StudyDaysDemo } from './study-days.demo';
import { StudyDaysPagesController } from './study-days-pages.controller';
import { StudyDaysPagesService } from './study-days-pages.service';
import { StudyDaysService } from './study-days.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      StudyDaySeriesEntity,
      StudyDayEntity,
      StudyDayPhotoEntity,
      CalendarTokenEntity,
    ]),
    OrganizationsModule,
    AttendanceModule,
  ],
  controllers: [StudyDaysApiController, StudyDaysPagesController],
  providers: [
    StudyDaysService,
    StudyDayRecordsService,
    RhythmService,
    CalendarService,
    StudyDaysPagesService,
    StudyDaysDemo,
  ],
  exports: [StudyDaysService, StudyDayRecordsService, RhythmService],
})
export class StudyDaysModule implements OnModuleInit {
  constructor(
    private readonly home: HomeService,
    private readonly demo: DemoService,
    private readonly pages: StudyDaysPagesService,
    private readonly demoStep: StudyDaysDemo,
  ) {}

  onModuleInit(): void {
    this.home.register({
      order: 20,
      section: async (actor) => {
        const data = await this.pages.homeSection(actor);
        return data ? { partial: 'home_study_days', data } : null;
      },
    });
    this.demo.register({
      name: 'study days and attendance',
      order: 30,
      run: (ctx) => this.demoStep.run(ctx),
    });
  }
}
