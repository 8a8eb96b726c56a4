import { defineMessages } from '../common/i18n/i18n';

defineMessages(
  'errors',
  {
    ORG_NOT_FOUND: '找不到该组织。',
    USER_NOT_FOUND: '找不到该人员。',
    ORG_OUT_OF_SCOPE: '该组织不在您的管理范围内。',
    ROLE_NOT_GRANTABLE: '您不能授予“{{role}}”角色。',
    ORG_KIND_NOT_ALLOWED: '不能在“{{parent}}”下建立“{{kind}}”。',
    USERNAME_TAKEN: '用户名“{{username}}”已被使用。',
    POST_GRADE_OUT_OF_BAND: '岗位等级 {{grade}} 超出该岗位的范围（{{min}}–{{max}} 级）。',
    PASSWORD_REJECTED: '密码不可用：{{reason}}',
    CSV_INVALID: 'CSV 文件无法读取：{{reason}}',
    CSV_TOO_MANY_ROWS: '一次最多导入 {{max}} 行。',
    CANNOT_DISABLE_SELF: '不能停用自己的账号。',
  },
  {
    ORG_NOT_FOUND: 'That organisation does not exist.',
    USER_NOT_FOUND: 'That person does not exist.',
    ORG_OUT_OF_SCOPE: 'That organisation is outside the part of the tree you manage.',
    ROLE_NOT_GRANTABLE: 'You cannot grant the role “{{role}}”.',
    ORG_KIND_NOT_ALLOWED: 'A “{{kind}}” cannot be placed under a “{{parent}}”.',
    USERNAME_TAKEN: 'The username “{{username}}” is already taken.',
    POST_GRADE_OUT_OF_BAND:
      'Post grade {{grade}} is outside this post type’s band ({{min}}–{{max}}).',
    PASSWORD_REJECTED: 'This password cannot be used: {{reason}}',
    CSV_INVALID: 'The CSV file could not be read: {{reason}}',
    CSV_TOO_MANY_ROWS: 'At most {{max}} rows can be imported at once.',
    CANNOT_DISABLE_SELF: 'You cannot disable your own account.',
  },
);

defineMessages(
  'orgs',
  {
    'password.tooShort': '至少需要 8 个字符',
    'password.tooLong': '最多 128 个字符',
    'password.tooCommon': '这是常见密码，很容易被猜到',
    'password.sameAsUsername': '不能与用户名相同',
    'password.contextWord':
      '只是常见密码或本平台相关的词（如 dangyuan）加上数字或符号，很容易被猜到',
    'kind.city': '市',
    'kind.district': '区',
    'kind.street': '街道',
    'kind.community': '社区',
    'kind.branch': '党支部',
    'kind.group': '党小组',
  },
  {
    'password.tooShort': 'it needs at least 8 characters',
    'password.tooLong': 'it may have at most 128 characters',
    'password.tooCommon': 'it is a common password that is easy to guess',
    'password.sameAsUsername': 'it must not be the username',
    'password.contextWord':
      'it is only a common password or a word about this platform (such as dangyuan) with digits or symbols added, easy to guess',
    'kind.city': 'City',
    'kind.district': 'District',
    'kind.street': 'Street',
    'kind.community': 'Community',
    'kind.branch': 'Party branch',
    'kind.group': 'Party group',
  },
);

defineMessages(
  'roles',
  { learner: '学员', trainer: '培训师', secretary: '支部书记', admin: '管理员' },
  { learner: 'Learner', trainer: 'Trainer', secretary: 'Branch secretary', admin: 'Administrator' },
);
defineMessages(
  'postTypes',
  { head: '社区正职', deputy: '社区副职', other: '其他社区工作者' },
  { head: 'Head post', deputy: 'Deputy post', other: 'Other community worker' },
);
defineMessages(
  'levels',
  {
    none: '暂无职业资格',
    assistant: '助理社会工作师',
    social_worker: '社会工作师',
    senior: '高级社会工作师',
  },
  {
    none: 'No qualification yet',
    assistant: 'Assistant social worker',
    social_worker: 'Social worker',
    senior: 'Senior social worker',
  },
);

defineMessages(
  'admin',
  {
    'people.title': '组织与人员',
    'people.tree': '组织架构',
    'people.search': '搜索姓名或用户名',
    'people.searchButton': '搜索',
    'people.name': '姓名',
    'people.username': '用户名',
    'people.org': '所属组织',
    'people.post': '岗位',
    'people.level': '职业资格',
    'people.roles': '角色',
    'people.status': '状态',
    'people.active': '在岗',
    'people.inactive': '已停用',
    'people.none': '没有找到人员。',
    'people.next': '下一页',
    'people.all': '全部',
    'import.title': '从 CSV 批量导入人员',
    'import.file':
      'CSV 文件（第一行为表头：用户名、姓名、所属组织、手机号、岗位类型、岗位等级、党员等）',
    'import.submit': '导入',
    'import.summary': '导入完成：新建 {{created}} 人，{{failed}} 行有问题。',
    'import.row': '行',
    'import.result': '结果',
    'import.created': '已新建',
    'import.failed': '未导入',
    'import.password': '初始密码（请当面告知本人，首次登录后修改）',
  },
  {
    'people.title': 'Organisation and people',
    'people.tree': 'Organisation tree',
    'people.search': 'Search name or username',
    'people.searchButton': 'Search',
    'people.name': 'Name',
    'people.username': 'Username',
    'people.org': 'Organisation',
    'people.post': 'Post',
    'people.level': 'Qualification',
    'people.roles': 'Roles',
    'people.status': 'Status',
    'people.active': 'Active',
    'people.inactive': 'Disabled',
    'people.none': 'No people found.',
    'people.next': 'Next page',
    'people.all': 'All',
    'import.title': 'Import people from CSV',
    'import.file':
      'CSV file (first line is the header: username, name, org, phone, postType, postGrade, partyMember…)',
    'import.submit': 'Import',
    'import.summary': 'Import finished: {{created}} created, {{failed}} rows with problems.',
    'import.row': 'Row',
    'import.result': 'Result',
    'import.created': 'Created',
    'import.failed': 'Not imported',
    'import.password':
      'Temporary password (tell the person face to face; they change it at first sign-in)',
  },
);
