import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ROLES, Role } from '../../common/access/actor';
import { POST_TYPES, PostType, QUALIFICATION_LEVELS, QualificationLevel } from '../user.entity';

const USERNAME = /^[A-Za-z0-9_.-]{2,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CreateUserDto {
  @ApiProperty({
    example: 'wangxy',
    description: 'Letters, digits, dot, dash, underscore; 2-64 characters',
  })
  @IsString()
  @Matches(USERNAME)
  username!: string;

  @ApiProperty({ example: '王秀英', maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  displayName!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password!: string;

  @ApiProperty({ description: 'The community or party branch the person belongs to' })
  @IsString()
  @MaxLength(36)
  orgId!: string;

  @ApiPropertyOptional({ maxLength: 32 })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9+\- ]{5,32}$/)
  phone?: string;

  @ApiPropertyOptional({ enum: POST_TYPES })
  @IsOptional()
  @IsIn(POST_TYPES)
  postType?: PostType;

  @ApiPropertyOptional({ minimum: 1, maximum: 18 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(18)
  postGrade?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  partyMember?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  branchCommittee?: boolean;

  @ApiPropertyOptional({ example: '2024-03-01' })
  @IsOptional()
  @Matches(DATE)
  hireDate?: string;

  @ApiPropertyOptional({ enum: QUALIFICATION_LEVELS })
  @IsOptional()
  @IsIn(QUALIFICATION_LEVELS)
  qualificationLevel?: QualificationLevel;

  @ApiPropertyOptional({
    example: '2025-01-01',
    description: 'Start of the current registration period',
  })
  @IsOptional()
  @Matches(DATE)
  registrationStart?: string;

  @ApiPropertyOptional({
    enum: ROLES,
    isArray: true,
    description: 'Roles held at orgId; learner is always given',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @IsIn(ROLES, { each: true })
  roles?: Role[];
}

/** Every field optional; the same rules as creation, plus `active` (false ends the person's sessions at once). */
export class UpdateUserDto extends PartialType(
  PickType(CreateUserDto, [
    'displayName',
    'orgId',
    'postType',
    'postGrade',
    'partyMember',
    'branchCommittee',
    'qualificationLevel',
    'registrationStart',
    'roles',
  ] as const),
) {
  @ApiPropertyOptional({ description: 'false ends every session and token of the person at once' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(36)
  orgId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200 })
  @IsOptional()
  @Matches(/^\d{1,3}$/)
  limit?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class CreateOrgDto {
  @ApiProperty({ enum: ['district', 'street', 'community', 'branch', 'group'] })
  @IsIn(['district', 'street', 'community', 'branch', 'group'])
  kind!: 'district' | 'street' | 'community' | 'branch' | 'group';

  @ApiProperty({ maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  nameEn?: string;

  @ApiProperty()
  @IsString()
  @MaxLength(36)
  parentId!: string;
}
