import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { Actor } from '../common/access/actor';
import { ClientIp, CurrentActor, Roles } from '../auth/auth.decorators';
import { CreateOrgDto, CreateUserDto, ListUsersQuery, UpdateUserDto } from './dto/user.dto';
import { OrganizationsService } from './organizations.service';
import { UserImportService } from './user-import.service';
import { UsersService } from './users.service';
import { readUpload } from '../common/http/upload';

@ApiTags('organisations and people')
@ApiBearerAuth()
@Controller('api/v1')
export class OrganizationsApiController {
  constructor(
    private readonly orgs: OrganizationsService,
    private readonly users: UsersService,
    private readonly importer: UserImportService,
  ) {}

  @Get('orgs')
  @ApiOperation({
    summary: 'The organisation tree (city > district > street > community > branch)',
  })
  tree() {
    return this.orgs.tree();
  }

  @Post('orgs')
  @Roles('admin')
  @ApiOperation({ summary: 'Create a node under a parent the admin covers' })
  createOrg(@CurrentActor() actor: Actor, @Body() dto: CreateOrgDto) {
    return this.orgs.create(actor, dto);
  }

  @Post('users')
  @Roles('admin', 'secretary')
  @ApiOperation({ summary: 'Create a person at a community or branch in the caller’s subtree' })
  createUser(@CurrentActor() actor: Actor, @Body() dto: CreateUserDto, @ClientIp() ip: string) {
    return this.users.create(actor, dto, ip);
  }

  @Post('users/import')
  @Roles('admin', 'secretary')
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiOperation({
    summary: 'Bulk create from CSV (raw body or multipart field "file"); per-row results',
  })
  async importUsers(
    @CurrentActor() actor: Actor,
    @Req() req: FastifyRequest,
    @ClientIp() ip: string,
  ) {
    const csv = await readUpload(req, { maxBytes: 2 * 1024 * 1024, kinds: ['text'] });
    return this.importer.importCsv(actor, csv.toString('utf8'), ip);
  }

  @Get('users')
  @Roles('admin', 'secretary')
  listUsers(@CurrentActor() actor: Actor, @Query() query: ListUsersQuery) {
    return this.users.list(actor, query);
  }

  @Get('users/:id')
  getUser(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.users.get(actor, id);
  }

  @Patch('users/:id')
  @Roles('admin', 'secretary')
  updateUser(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: UpdateUserDto,
    @ClientIp() ip: string,
  ) {
    return this.users.update(actor, id, dto, ip);
  }
}
