import { defineMessages } from '../common/i18n/i18n';

defineMessages(
  'errors',
  { AUDIT_CURSOR_INVALID: '翻页参数无效，请从第一页重新查看。' },
  { AUDIT_CURSOR_INVALID: 'The page cursor is not valid; start again from the first page.' },
);

defineMessages(
  'audit',
  {
    title: '审计日志',
    intro:
      '登录（含失败）、人员与角色变更、成绩、考勤修改、证书颁发与撤销、导出等操作的记录。记录只能查看，不能修改或删除。',
    at: '时间',
    who: '操作人',
    action: '操作',
    target: '对象',
    org: '组织',
    ip: '来源地址',
    details: '详情',
    none: '暂无记录。',
    next: '更早的记录',
    orgFilter: '组织编号',
    filter: '筛选',
  },
  {
    title: 'Audit log',
    intro:
      'Sign-ins (failed ones too), people and role changes, grades, attendance edits, certificate issue and revocation, exports. Entries can be read, never changed or deleted.',
    at: 'When',
    who: 'Who',
    action: 'Action',
    target: 'Target',
    org: 'Organisation',
    ip: 'From',
    details: 'Details',
    none: 'No entries yet.',
    next: 'Older entries',
    orgFilter: 'Organisation id',
    filter: 'Filter',
  },
);
