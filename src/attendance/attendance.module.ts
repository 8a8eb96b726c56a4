import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import './attendance.i18n';
import './attendance.policy';
import { CurriculumModule } from '../curriculum/curriculum.module';
import { LearningModule } from '../learning/learning.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { AttendanceApiController } from './attendance-api.controller';
import { AttendanceClock } from './attendance-clock';
import { AttendanceRecordEntity } from './attendance-record.entity';
import { AttendanceSessionEntity } from './attendance-session.entity';
import { AttendanceSessionCache } from './attendance-session-cache';
import { AttendanceService } from './attendance.service';
import { BranchMembershipEntity } from './branch-membership.entity';
import { CheckInPagesController } from './check-in-pages.controller';
import { CheckInService } from './check-in.service';
import { LearningBridge } from './learning-bridge';
import { LeaveRequestEntity } from './leave-request.entity';
import { LeaveService } from './leave.service';
import { MakeUpEntity } from './make-up.entity';
import { MembershipsService } from './memberships.service';
import { TrainingSessionsService } from './training-sessions.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      AttendanceSessionEntity,
      AttendanceRecordEntity,
      LeaveRequestEntity,
      MakeUpEntity,
      BranchMembershipEntity,
    ]),
    OrganizationsModule,
    CurriculumModule,
    LearningModule,
  ],
  controllers: [AttendanceApiController, CheckInPagesController],
  providers: [
    AttendanceClock,
    AttendanceSessionCache,
    AttendanceService,
    CheckInService,
    LeaveService,
    MembershipsService,
    TrainingSessionsService,
    LearningBridge,
  ],
  exports: [
    AttendanceClock,
    AttendanceService,
    CheckInService,
    LeaveService,
    MembershipsService,
    LearningBridge,
  ],
})
export class AttendanceModule {}
