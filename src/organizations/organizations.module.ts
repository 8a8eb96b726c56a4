import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import './organizations.i18n';
import './post-grades.policy';
import { AdminPagesController } from './admin-pages.controller';
import { AdminPagesService } from './admin-pages.service';
import { OrgNodeEntity } from './org-node.entity';
import { OrganizationsApiController } from './organizations-api.controller';
import { OrganizationsService } from './organizations.service';
import { OrgTreeService } from './org-tree.service';
import { RoleAssignmentEntity } from './role-assignment.entity';
import { UserImportService } from './user-import.service';
import { UserEntity } from './user.entity';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([OrgNodeEntity, UserEntity, RoleAssignmentEntity])],
  controllers: [OrganizationsApiController, AdminPagesController],
  providers: [
    OrgTreeService,
    UsersService,
    OrganizationsService,
    UserImportService,
    AdminPagesService,
  ],
  exports: [OrgTreeService, UsersService],
})
export class OrganizationsModule {}
