import type { Role } from '../common/access/actor';
import type { OrgNodeEntity } from './org-node.entity';
import type { RoleAssignmentEntity } from './role-assignment.entity';
import type { UserEntity } from './user.entity';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  phone: string | null;
  org: { id: string; name: string; kind: string } | null;
  partyMember: boolean;
  branchCommittee: boolean;
  postType: string | null;
  postGrade: number | null;
  hireDate: string | null;
  qualificationLevel: string;
  registrationStart: string | null;
  active: boolean;
  roles: Array<{ role: Role; orgId: string }>;
}

/** The only shape in which a person leaves the service layer: no password hash, ever. */
export function toUserView(
  user: UserEntity,
  org: OrgNodeEntity | null,
  grants: RoleAssignmentEntity[],
): UserView {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    phone: user.phone,
    org: org ? { id: org.id, name: org.name, kind: org.kind } : null,
    partyMember: user.partyMember,
    branchCommittee: user.branchCommittee,
    postType: user.postType,
    postGrade: user.postGrade,
    hireDate: user.hireDate,
    qualificationLevel: user.qualificationLevel,
    registrationStart: user.registrationStart,
    active: user.active,
    roles: grants
      .filter((g) => g.userId === user.id)
      .map((g) => ({ role: g.role, orgId: g.orgId })),
  };
}
